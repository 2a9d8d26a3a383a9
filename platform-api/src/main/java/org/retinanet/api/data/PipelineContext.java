package org.retinanet.api.data;

/**
 * How a pipeline is used: training (random augmentation, aspect grouping, shuffling, drop nothing)
 * or testing (deterministic, original order), the batch size per step, loader threads, seed, and
 * the backbone's pixel normalisation.
 */
public record PipelineContext(
        boolean training, int batchSize, int workers, long seed, InputNormalization normalization) {}
