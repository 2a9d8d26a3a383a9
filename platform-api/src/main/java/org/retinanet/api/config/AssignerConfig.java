package org.retinanet.api.config;

/**
 * Base of every config record of an assigner; the {@code type} field picks the factory and may be
 * left out for the built-in {@code max_iou} (see {@link org.retinanet.api.spi.Kind#defaultId()}).
 */
public interface AssignerConfig extends ComponentConfig {}
