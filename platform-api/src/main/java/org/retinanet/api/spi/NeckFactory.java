package org.retinanet.api.spi;

import java.util.List;
import org.retinanet.api.config.NeckConfig;
import org.retinanet.api.model.FeatureSpec;
import org.retinanet.api.model.Neck;

/** Builds a neck from its config and the features the backbone produces (channels and strides). */
public interface NeckFactory<C extends NeckConfig> extends ComponentFactory<C> {

    Neck create(C config, List<FeatureSpec> inputs);

    @Override
    default Kind kind() {
        return Kind.NECK;
    }
}
