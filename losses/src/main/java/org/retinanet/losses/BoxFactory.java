package org.retinanet.losses;

import java.util.function.Function;
import org.retinanet.api.config.BoxLossConfig;
import org.retinanet.api.loss.BoxLoss;
import org.retinanet.api.spi.BoxLossFactory;

/** A box loss factory: an id, its config record and how to build the loss. */
record BoxFactory<C extends BoxLossConfig>(
        String id, Class<C> configType, String description, Function<C, BoxLoss> builder) implements BoxLossFactory<C> {

    @Override
    public BoxLoss create(C config) {
        return builder.apply(config);
    }
}
