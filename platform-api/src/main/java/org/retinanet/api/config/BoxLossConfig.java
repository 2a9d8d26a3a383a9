package org.retinanet.api.config;

/** Base of every box loss config record; the {@code type} field picks the factory. */
public interface BoxLossConfig extends ComponentConfig {}
