package org.retinanet.api.spi;

import java.util.List;

/**
 * The one extension point of a plugin jar, found with {@link java.util.ServiceLoader} through
 * {@code META-INF/services/org.retinanet.api.spi.RetinanetPlugin}. Every method is a default that
 * contributes nothing, so a plugin overrides only what it adds and new kinds never break old jars.
 */
public interface RetinanetPlugin {

    default List<BackboneFactory<?>> backbones() {
        return List.of();
    }

    default List<NeckFactory<?>> necks() {
        return List.of();
    }

    default List<HeadFactory<?>> heads() {
        return List.of();
    }

    default List<ClassificationLossFactory<?>> classificationLosses() {
        return List.of();
    }

    default List<BoxLossFactory<?>> boxLosses() {
        return List.of();
    }

    default List<DatasetFactory<?>> datasets() {
        return List.of();
    }

    default List<PipelineFactory<?>> pipelines() {
        return List.of();
    }

    default List<EvaluatorFactory<?>> evaluators() {
        return List.of();
    }

    default List<PriorGeneratorFactory<?>> priorGenerators() {
        return List.of();
    }

    default List<AssignerFactory<?>> assigners() {
        return List.of();
    }

    default List<BoxCoderFactory<?>> boxCoders() {
        return List.of();
    }

    default List<HookFactory<?>> hooks() {
        return List.of();
    }
}
