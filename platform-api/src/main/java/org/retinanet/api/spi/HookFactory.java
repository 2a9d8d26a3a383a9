package org.retinanet.api.spi;

import org.retinanet.api.config.HookConfig;
import org.retinanet.api.train.TrainingHook;

/** Builds a training hook named in {@code train.hooks} (an EMA of the weights, early stopping, ...). */
public interface HookFactory<C extends HookConfig> extends ComponentFactory<C> {

    TrainingHook create(C config);

    @Override
    default Kind kind() {
        return Kind.HOOK;
    }
}
