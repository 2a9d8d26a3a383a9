package org.retinanet.api.config;

/** Base of every pipeline config record; the {@code type} field picks the factory. */
public interface PipelineConfig extends ComponentConfig {}
