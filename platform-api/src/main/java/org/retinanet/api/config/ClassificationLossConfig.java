package org.retinanet.api.config;

/** Base of every classification loss config record; the {@code type} field picks the factory. */
public interface ClassificationLossConfig extends ComponentConfig {}
