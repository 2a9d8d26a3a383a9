package org.retinanet.losses.cls;

import org.retinanet.api.config.ClassificationLossConfig;
import org.retinanet.losses.ConfigChecks;

/**
 * Config of {@code alpha_ce}: alpha-balanced sigmoid cross entropy, -alpha_t log(p_t) (paper
 * Table 1a).
 *
 * @param alpha weight of the positive class, negatives get 1 - alpha (0.75: the best row of
 *     Table 1a, 31.1 AP; 0.5 is unweighted CE up to a factor 2)
 * @param lossWeight multiplies the loss (1.0)
 */
public record AlphaCeLossConfig(Double alpha, Double lossWeight) implements ClassificationLossConfig {

    public AlphaCeLossConfig {
        alpha = alpha == null ? 0.75 : alpha;
        lossWeight = lossWeight == null ? 1.0 : lossWeight;
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("alpha_ce: alpha must be in (0, 1), got " + alpha);
        }
        ConfigChecks.nonNegative("alpha_ce", "lossWeight", lossWeight);
    }
}
