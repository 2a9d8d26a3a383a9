package org.retinanet.api.config;

/** Base of every training-hook config record (an entry of {@code train.hooks}); {@code type} picks the factory. */
public interface HookConfig extends ComponentConfig {}
