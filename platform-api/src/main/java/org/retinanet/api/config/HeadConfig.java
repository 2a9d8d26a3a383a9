package org.retinanet.api.config;

/** Base of every head config record; the {@code type} field picks the factory. */
public interface HeadConfig extends ComponentConfig {}
