package org.retinanet.backbones;

import java.util.List;
import java.util.Set;
import org.retinanet.api.config.BackboneConfig;

/**
 * Config of the {@code resnext} backbone: bottleneck ResNet whose 3x3 conv is grouped, with inner
 * width floor(planes * baseWidth / 64) * groups. Defaults: X-101-32x4d with mmdetection's
 * RetinaNet settings; the other fields mean what they mean in {@link ResNetConfig}.
 *
 * @param depth 50, 101 (default) or 152
 * @param groups cardinality, default 32
 * @param baseWidth width per group, default 4
 */
public record ResNeXtConfig(
        Integer depth,
        Integer groups,
        Integer baseWidth,
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

    static final Set<Integer> DEPTHS = Set.of(50, 101, 152);

    public ResNeXtConfig {
        depth = depth == null ? 101 : depth;
        ResNetSettings.checkDepth(depth, DEPTHS);
        groups = groups == null ? 32 : groups;
        ResNetSettings.checkPositive("groups", groups);
        baseWidth = baseWidth == null ? 4 : baseWidth;
        ResNetSettings.checkPositive("baseWidth", baseWidth);
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

    /** A preset architecture with every other field at its default. */
    public static ResNeXtConfig of(int depth, int groups, int baseWidth) {
        return new ResNeXtConfig(depth, groups, baseWidth, null, null, null, null, null, null, null, null, null, null);
    }

    ResNetSettings settings() {
        return new ResNetSettings(
                "resnext" + depth + "_" + groups + "x" + baseWidth + "d",
                true,
                ResNetSettings.stageBlocks(depth),
                groups,
                baseWidth,
                style,
                outIndices,
                frozenStages,
                new NormOptions(norm, normGroups, normEval, normAffineTrainable, normEps.floatValue()),
                zeroInitResidual,
                init);
    }
}
