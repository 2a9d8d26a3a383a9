package org.retinanet.api.spi;

import org.retinanet.api.config.HeadConfig;
import org.retinanet.api.model.DenseHead;
import org.retinanet.api.model.HeadContext;

/** Builds a dense detection head (with its anchors, assigner, coder and post-processing). */
public interface HeadFactory<C extends HeadConfig> extends ComponentFactory<C> {

    DenseHead create(C config, HeadContext context);

    @Override
    default Kind kind() {
        return Kind.HEAD;
    }
}
