package org.retinanet.losses.box;

import org.retinanet.api.config.BoxLossConfig;
import org.retinanet.losses.ConfigChecks;

/**
 * Config of {@code ghm_r}: the gradient harmonizing regression loss as mmdetection's GHMR computes
 * it. Defaults are mmdetection's configs/ghm values except lossWeight: those configs set
 * loss_weight 10.0, which a preset has to state (GHMR's own constructor defaults are momentum 0,
 * loss_weight 1.0).
 *
 * @param mu the authentic smooth L1's mu (0.02)
 * @param bins number of gradient-norm bins (10)
 * @param momentum EMA momentum of the bin counts (0.7); 0 uses this batch's counts only
 * @param lossWeight multiplies the loss (1.0)
 */
public record GhmrLossConfig(Double mu, Integer bins, Double momentum, Double lossWeight) implements BoxLossConfig {

    public GhmrLossConfig {
        mu = mu == null ? 0.02 : mu;
        bins = bins == null ? 10 : bins;
        momentum = momentum == null ? 0.7 : momentum;
        lossWeight = lossWeight == null ? 1.0 : lossWeight;
        ConfigChecks.positive("ghm_r", "mu", mu);
        ConfigChecks.positive("ghm_r", "bins", bins);
        ConfigChecks.momentum("ghm_r", momentum);
        ConfigChecks.nonNegative("ghm_r", "lossWeight", lossWeight);
    }
}
