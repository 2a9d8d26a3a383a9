package org.retinanet.backbones;

import java.util.List;
import java.util.Set;
import org.retinanet.api.config.BackboneConfig;

/**
 * Config of the {@code resnet} backbone. Defaults are mmdetection's RetinaNet base settings
 * ({@code configs/_base_/models/retinanet_r50_fpn.py} and its ResNet class).
 *
 * @param depth 18, 34, 50 (default), 101 or 152
 * @param style pytorch (default) or caffe
 * @param outIndices 0-based stages returned, default [0, 1, 2, 3] = C2..C5 (mmdetection; the FPN
 *     starts at C3 with its start level 1)
 * @param frozenStages -1 = none, 0 = stem, n = stem + stages 1..n; default 1
 * @param normEval every BN uses running statistics in training and never updates them; default true
 * @param norm bn (default), frozen_bn or gn
 * @param normGroups GroupNorm groups, default 32 (gn only)
 * @param normEps eps of every norm layer, default 1e-5 (torch); torchvision's COCO detector
 *     weights were trained with frozen BN eps 0
 * @param normAffineTrainable BN/GN weight and bias train (outside frozen stages); default true for
 *     the pytorch style, false for caffe (mmdetection's caffe configs) and frozen_bn
 * @param zeroInitResidual the last norm of each residual branch starts at weight 0; default true
 *     (mmdetection's ResNet; torchvision's default is false); no effect on loaded weights
 * @param init pretrained checkpoint; default none
 */
public record ResNetConfig(
        Integer depth,
        Style style,
        List<Integer> outIndices,
        Integer frozenStages,
        Boolean normEval,
        NormType norm,
        Integer normGroups,
        Double normEps,
        Boolean normAffineTrainable,
        Boolean zeroInitResidual,
        InitConfig init)
        implements BackboneConfig {

    static final Set<Integer> DEPTHS = Set.of(18, 34, 50, 101, 152);

    public ResNetConfig {
        depth = depth == null ? 50 : depth;
        ResNetSettings.checkDepth(depth, DEPTHS);
        style = style == null ? Style.PYTORCH : style;
        outIndices = ResNetSettings.checkOutIndices(outIndices == null ? List.of(0, 1, 2, 3) : outIndices);
        frozenStages = frozenStages == null ? 1 : frozenStages;
        ResNetSettings.checkFrozenStages(frozenStages);
        normEval = normEval == null ? Boolean.TRUE : normEval;
        norm = norm == null ? NormType.BN : norm;
        normGroups = normGroups == null ? 32 : normGroups;
        ResNetSettings.checkPositive("normGroups", normGroups);
        normEps = ResNetSettings.checkEps(normEps);
        normAffineTrainable = ResNetSettings.defaultAffineTrainable(normAffineTrainable, style, norm);
        zeroInitResidual = zeroInitResidual == null ? Boolean.TRUE : zeroInitResidual;
        init = init == null ? InitConfig.none() : init;
    }

    /** All defaults: mmdetection's RetinaNet R-50 backbone. */
    public static ResNetConfig defaults() {
        return new ResNetConfig(null, null, null, null, null, null, null, null, null, null, null);
    }

    public ResNetConfig withDepth(int newDepth) {
        return new ResNetConfig(
                newDepth,
                style,
                outIndices,
                frozenStages,
                normEval,
                norm,
                normGroups,
                normEps,
                normAffineTrainable,
                zeroInitResidual,
                init);
    }

    ResNetSettings settings() {
        return new ResNetSettings(
                "resnet" + depth,
                depth >= 50,
                ResNetSettings.stageBlocks(depth),
                1,
                64,
                style,
                outIndices,
                frozenStages,
                new NormOptions(norm, normGroups, normEval, normAffineTrainable, normEps.floatValue()),
                zeroInitResidual,
                init);
    }
}
