package org.retinanet.api.config;

/** Base of every dataset config record; the {@code type} field picks the factory. */
public interface DatasetConfig extends ComponentConfig {}
