package org.retinanet.api.spi;

import org.retinanet.api.config.BackboneConfig;
import org.retinanet.api.model.Backbone;

/** Builds a backbone network from its config. */
public interface BackboneFactory<C extends BackboneConfig> extends ComponentFactory<C> {

    Backbone create(C config);

    @Override
    default Kind kind() {
        return Kind.BACKBONE;
    }
}
