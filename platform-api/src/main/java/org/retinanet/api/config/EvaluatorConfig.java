package org.retinanet.api.config;

/** Base of every evaluator config record; the {@code type} field picks the factory. */
public interface EvaluatorConfig extends ComponentConfig {}
