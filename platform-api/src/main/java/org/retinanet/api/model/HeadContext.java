package org.retinanet.api.model;

import java.util.List;
import org.retinanet.api.loss.BoxLoss;
import org.retinanet.api.loss.ClassificationLoss;
import org.retinanet.api.loss.LossNormalization;

/**
 * What a head needs beyond its own config: the class count, the pyramid it runs on and the
 * training losses (built from their own plugins by the platform).
 */
public record HeadContext(
        int numClasses,
        List<FeatureSpec> inputs,
        ClassificationLoss classificationLoss,
        BoxLoss boxLoss,
        LossNormalization normalization) {}
