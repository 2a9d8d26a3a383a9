package org.retinanet.api.config;

/**
 * Base of every config record of a box coder; the {@code type} field picks the factory and may be
 * left out for the built-in {@code delta_xywh} (see {@link org.retinanet.api.spi.Kind#defaultId()}).
 */
public interface BoxCoderConfig extends ComponentConfig {}
