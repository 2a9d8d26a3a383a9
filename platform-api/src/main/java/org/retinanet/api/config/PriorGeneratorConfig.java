package org.retinanet.api.config;

/**
 * Base of every config record of a prior (anchor) generator; the {@code type} field picks the factory and may be
 * left out for the built-in {@code anchor_generator} (see {@link org.retinanet.api.spi.Kind#defaultId()}).
 */
public interface PriorGeneratorConfig extends ComponentConfig {}
