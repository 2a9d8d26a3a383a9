package org.retinanet.api.spi;

import org.retinanet.api.box.PriorGenerator;
import org.retinanet.api.config.PriorGeneratorConfig;

/** Builds a prior generator (the dense anchors of a head). */
public interface PriorGeneratorFactory<C extends PriorGeneratorConfig> extends ComponentFactory<C> {

    PriorGenerator create(C config);

    @Override
    default Kind kind() {
        return Kind.PRIOR_GENERATOR;
    }
}
