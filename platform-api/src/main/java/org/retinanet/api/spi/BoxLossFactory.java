package org.retinanet.api.spi;

import org.retinanet.api.config.BoxLossConfig;
import org.retinanet.api.loss.BoxLoss;

/** Builds a box regression loss (L1, smooth L1, GIoU, ...). */
public interface BoxLossFactory<C extends BoxLossConfig> extends ComponentFactory<C> {

    BoxLoss create(C config);

    @Override
    default Kind kind() {
        return Kind.BOX_LOSS;
    }
}
