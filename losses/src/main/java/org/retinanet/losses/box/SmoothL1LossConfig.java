package org.retinanet.losses.box;

import org.retinanet.api.config.BoxLossConfig;
import org.retinanet.losses.ConfigChecks;

/**
 * Config of {@code smooth_l1}: smooth L1 on the deltas, summed over the 4 coordinates (the paper
 * and Detectron).
 *
 * @param beta where the quadratic part ends (0.11, Detectron's RETINANET.BBOX_REG_BETA; mmdetection's
 *     SmoothL1Loss default is 1.0); 0 is L1
 * @param lossWeight multiplies the loss (1.0)
 */
public record SmoothL1LossConfig(Double beta, Double lossWeight) implements BoxLossConfig {

    public SmoothL1LossConfig {
        beta = beta == null ? 0.11 : beta;
        lossWeight = lossWeight == null ? 1.0 : lossWeight;
        ConfigChecks.nonNegative("smooth_l1", "beta", beta);
        ConfigChecks.nonNegative("smooth_l1", "lossWeight", lossWeight);
    }
}
