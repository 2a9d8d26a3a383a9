package org.retinanet.api.spi;

import org.retinanet.api.box.BoxCoder;
import org.retinanet.api.config.BoxCoderConfig;

/** Builds a box coder (regression targets relative to priors). */
public interface BoxCoderFactory<C extends BoxCoderConfig> extends ComponentFactory<C> {

    BoxCoder create(C config);

    @Override
    default Kind kind() {
        return Kind.BOX_CODER;
    }
}
