package org.retinanet.backbones;

import ai.djl.nn.Block;
import org.retinanet.api.nn.GroupNorm2d;
import org.retinanet.api.registry.UserException;
import org.retinanet.backbones.norm.BatchNorm2d;
import org.retinanet.backbones.norm.FrozenBatchNorm2d;

/**
 * How every norm layer of one backbone is built.
 *
 * @param type bn, frozen_bn or gn
 * @param groups GroupNorm groups (gn only)
 * @param normEval BN layers use running statistics in training and never update them
 * @param affineTrainable whether weight/bias train (outside frozen stages)
 * @param eps added to the variance
 */
public record NormOptions(NormType type, int groups, boolean normEval, boolean affineTrainable, float eps) {

    /**
     * @param frozenStage the layer sits in a frozen stage: eval mode and nothing trains
     * @param zeroInit the last norm of a residual branch under zero-init-residual
     */
    public Block create(int channels, boolean frozenStage, boolean zeroInit) {
        boolean trainable = affineTrainable && !frozenStage;
        return switch (type) {
            case BN -> new BatchNorm2d(channels, normEval || frozenStage, trainable, zeroInit, eps);
            case FROZEN_BN -> new FrozenBatchNorm2d(channels, zeroInit, eps);
            case GN -> groupNorm(channels, trainable, zeroInit);
        };
    }

    private Block groupNorm(int channels, boolean trainable, boolean zeroInit) {
        if (groups <= 0 || channels % groups != 0) { // a config value that does not fit this architecture
            throw new UserException("model.backbone.normGroups: " + groups + " groups do not divide the " + channels
                    + " channels of a norm layer; choose a divisor of every layer's channels (e.g. 32)");
        }
        return GroupNorm2d.builder()
                .setGroups(groups)
                .setChannels(channels)
                .optEps(eps)
                .optAffineTrainable(trainable)
                .optZeroInitWeight(zeroInit)
                .build();
    }
}
