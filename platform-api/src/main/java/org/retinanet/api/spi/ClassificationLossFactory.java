package org.retinanet.api.spi;

import org.retinanet.api.config.ClassificationLossConfig;
import org.retinanet.api.loss.ClassificationLoss;

/** Builds a classification loss (focal, CE, OHEM, ...). */
public interface ClassificationLossFactory<C extends ClassificationLossConfig> extends ComponentFactory<C> {

    ClassificationLoss create(C config);

    @Override
    default Kind kind() {
        return Kind.CLASSIFICATION_LOSS;
    }
}
