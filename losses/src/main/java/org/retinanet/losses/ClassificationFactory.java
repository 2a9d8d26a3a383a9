package org.retinanet.losses;

import java.util.function.Function;
import org.retinanet.api.config.ClassificationLossConfig;
import org.retinanet.api.loss.ClassificationLoss;
import org.retinanet.api.spi.ClassificationLossFactory;

/** A classification loss factory: an id, its config record and how to build the loss. */
record ClassificationFactory<C extends ClassificationLossConfig>(
        String id, Class<C> configType, String description, Function<C, ClassificationLoss> builder)
        implements ClassificationLossFactory<C> {

    @Override
    public ClassificationLoss create(C config) {
        return builder.apply(config);
    }
}
