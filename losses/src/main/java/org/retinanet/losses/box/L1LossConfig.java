package org.retinanet.losses.box;

import org.retinanet.api.config.BoxLossConfig;
import org.retinanet.losses.ConfigChecks;

/**
 * Config of {@code l1}: L1 on the deltas, summed over the 4 coordinates (mmdetection's RetinaNet,
 * torchvision v1).
 *
 * @param lossWeight multiplies the loss (1.0)
 */
public record L1LossConfig(Double lossWeight) implements BoxLossConfig {

    public L1LossConfig {
        lossWeight = lossWeight == null ? 1.0 : lossWeight;
        ConfigChecks.nonNegative("l1", "lossWeight", lossWeight);
    }
}
