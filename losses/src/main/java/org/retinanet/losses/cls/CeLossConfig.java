package org.retinanet.losses.cls;

import org.retinanet.api.config.ClassificationLossConfig;
import org.retinanet.losses.ConfigChecks;

/**
 * Config of {@code ce}: plain sigmoid cross entropy over all anchors (focal loss with gamma 0 and
 * no alpha).
 *
 * @param lossWeight multiplies the loss (1.0)
 */
public record CeLossConfig(Double lossWeight) implements ClassificationLossConfig {

    public CeLossConfig {
        lossWeight = lossWeight == null ? 1.0 : lossWeight;
        ConfigChecks.nonNegative("ce", "lossWeight", lossWeight);
    }
}
