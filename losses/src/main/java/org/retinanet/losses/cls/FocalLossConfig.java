package org.retinanet.losses.cls;

import org.retinanet.api.config.ClassificationLossConfig;
import org.retinanet.losses.ConfigChecks;

/**
 * Config of {@code focal}: the sigmoid focal loss (paper Eq. 5; torchvision's sigmoid_focal_loss;
 * mmdetection's FocalLoss).
 *
 * @param gamma focusing parameter (2.0), >= 0
 * @param alpha weight of the positive class, negatives get 1 - alpha (0.25); a negative value
 *     switches alpha weighting off
 * @param lossWeight multiplies the loss (1.0)
 */
public record FocalLossConfig(Double gamma, Double alpha, Double lossWeight) implements ClassificationLossConfig {

    public FocalLossConfig {
        gamma = gamma == null ? 2.0 : gamma;
        alpha = alpha == null ? 0.25 : alpha;
        lossWeight = lossWeight == null ? 1.0 : lossWeight;
        ConfigChecks.nonNegative("focal", "gamma", gamma);
        ConfigChecks.alpha("focal", alpha);
        ConfigChecks.nonNegative("focal", "lossWeight", lossWeight);
    }

    public static FocalLossConfig defaults() {
        return new FocalLossConfig(null, null, null);
    }
}
