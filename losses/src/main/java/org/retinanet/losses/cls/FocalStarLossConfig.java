package org.retinanet.losses.cls;

import org.retinanet.api.config.ClassificationLossConfig;
import org.retinanet.losses.ConfigChecks;

/**
 * Config of {@code focal_star}: FL* = -log(sigmoid(gamma x_t + beta)) / gamma (paper appendix A).
 *
 * <p>Defaults are the best row of Table 3 by AP: gamma 4, beta 0 (33.9 AP; the other listed
 * setting, gamma 2 beta 1, gives 33.8). alpha is 0.25 as in all the appendix's experiments.
 *
 * @param gamma steepness (4.0), > 0
 * @param beta shift (0.0)
 * @param alpha weight of the positive class (0.25); negative for none
 * @param lossWeight multiplies the loss (1.0)
 */
public record FocalStarLossConfig(Double gamma, Double beta, Double alpha, Double lossWeight)
        implements ClassificationLossConfig {

    public FocalStarLossConfig {
        gamma = gamma == null ? 4.0 : gamma;
        beta = beta == null ? 0.0 : beta;
        alpha = alpha == null ? 0.25 : alpha;
        lossWeight = lossWeight == null ? 1.0 : lossWeight;
        ConfigChecks.positive("focal_star", "gamma", gamma);
        if (!Double.isFinite(beta)) {
            throw new IllegalArgumentException("focal_star: beta must be finite, got " + beta);
        }
        ConfigChecks.alpha("focal_star", alpha);
        ConfigChecks.nonNegative("focal_star", "lossWeight", lossWeight);
    }
}
