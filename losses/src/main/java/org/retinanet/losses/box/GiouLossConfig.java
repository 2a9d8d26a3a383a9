package org.retinanet.losses.box;

import org.retinanet.api.config.BoxLossConfig;
import org.retinanet.losses.ConfigChecks;

/**
 * Config of {@code giou}: 1 - GIoU on decoded boxes (torchvision v2).
 *
 * @param eps added to the union and to the enclosing area (1e-7, torchvision)
 * @param lossWeight multiplies the loss (1.0)
 */
public record GiouLossConfig(Double eps, Double lossWeight) implements BoxLossConfig {

    public GiouLossConfig {
        eps = eps == null ? 1e-7 : eps;
        lossWeight = lossWeight == null ? 1.0 : lossWeight;
        ConfigChecks.positive("giou", "eps", eps);
        ConfigChecks.nonNegative("giou", "lossWeight", lossWeight);
    }
}
