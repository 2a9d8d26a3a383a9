package org.retinanet.losses.cls;

import org.retinanet.api.config.ClassificationLossConfig;
import org.retinanet.losses.ConfigChecks;

/**
 * Config of {@code ghm_c}: the gradient harmonizing classification loss (Li et al., AAAI 2019) as
 * mmdetection's GHMC computes it; defaults are mmdetection's configs/ghm values.
 *
 * @param bins number of gradient-norm bins over [0, 1] (30)
 * @param momentum EMA momentum of the bin counts (0.75); 0 uses this batch's counts only
 * @param lossWeight multiplies the loss (1.0)
 */
public record GhmcLossConfig(Integer bins, Double momentum, Double lossWeight) implements ClassificationLossConfig {

    public GhmcLossConfig {
        bins = bins == null ? 30 : bins;
        momentum = momentum == null ? 0.75 : momentum;
        lossWeight = lossWeight == null ? 1.0 : lossWeight;
        ConfigChecks.positive("ghm_c", "bins", bins);
        ConfigChecks.momentum("ghm_c", momentum);
        ConfigChecks.nonNegative("ghm_c", "lossWeight", lossWeight);
    }
}
