package org.retinanet.api.config;

/** Base of every backbone config record; the {@code type} field picks the factory. */
public interface BackboneConfig extends ComponentConfig {}
