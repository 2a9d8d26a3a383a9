package org.retinanet.experiments.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.retinanet.api.config.DatasetConfig;
import org.retinanet.api.config.PipelineConfig;

/**
 * One data split: dataset plugin, pipeline plugin, images per batch, loader threads and (for the
 * 3x multi-scale schedules) how many times the dataset repeats per epoch.
 */
public record SplitConfig(
        DatasetConfig dataset, PipelineConfig pipeline, Integer batchSize, Integer workers, Integer repeat) {

    public SplitConfig(
            @JsonProperty("dataset") DatasetConfig dataset,
            @JsonProperty("pipeline") PipelineConfig pipeline,
            @JsonProperty("batchSize") Integer batchSize,
            @JsonProperty("workers") Integer workers,
            @JsonProperty("repeat") Integer repeat) {
        this.dataset = dataset;
        this.pipeline = pipeline;
        this.batchSize = batchSize == null ? 2 : batchSize;
        this.workers = workers == null ? 2 : workers;
        this.repeat = repeat == null ? 1 : repeat;
        if (this.batchSize <= 0 || this.workers <= 0 || this.repeat <= 0) {
            throw new IllegalArgumentException("batchSize, workers and repeat must be positive");
        }
    }
}
