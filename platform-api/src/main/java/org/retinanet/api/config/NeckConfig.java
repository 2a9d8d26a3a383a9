package org.retinanet.api.config;

/** Base of every neck config record; the {@code type} field picks the factory. */
public interface NeckConfig extends ComponentConfig {}
