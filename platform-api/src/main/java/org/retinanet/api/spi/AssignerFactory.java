package org.retinanet.api.spi;

import org.retinanet.api.box.Assigner;
import org.retinanet.api.config.AssignerConfig;

/** Builds an assigner of priors to ground truth (max-IoU, ...). */
public interface AssignerFactory<C extends AssignerConfig> extends ComponentFactory<C> {

    Assigner create(C config);

    @Override
    default Kind kind() {
        return Kind.ASSIGNER;
    }
}
