package org.retinanet.experiments.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;
import org.retinanet.api.config.EvaluatorConfig;

/**
 * A whole experiment, as resolved from YAML (after {@code base:} inheritance and {@code --set}).
 * This exact tree is saved as {@code config.yaml} in every run directory.
 *
 * @param name experiment name (defaults to the config file's name)
 * @param seed the one seed everything random derives from
 * @param device {@code cpu}, {@code gpu} or {@code gpu:N}
 * @param meta free-form labels used by reports to match published rows (backbone, style, schedule, dataset)
 */
public record ExperimentConfig(
        String name,
        Long seed,
        String device,
        ModelConfig model,
        DataConfig data,
        EvaluatorConfig evaluator,
        TrainConfig train,
        Map<String, String> meta) {

    public ExperimentConfig(
            @JsonProperty("name") String name,
            @JsonProperty("seed") Long seed,
            @JsonProperty("device") String device,
            @JsonProperty("model") ModelConfig model,
            @JsonProperty("data") DataConfig data,
            @JsonProperty("evaluator") EvaluatorConfig evaluator,
            @JsonProperty("train") TrainConfig train,
            @JsonProperty("meta") Map<String, String> meta) {
        this.name = name == null ? "experiment" : name;
        this.seed = seed == null ? 0L : seed;
        this.device = device == null ? "cpu" : device;
        if (model == null) {
            throw new IllegalArgumentException("model: missing (backbone, neck, head and losses)");
        }
        this.model = model;
        this.data = data;
        this.evaluator = evaluator;
        this.train = train == null ? TrainConfig.defaults() : train;
        this.meta = meta == null ? Map.of() : Map.copyOf(meta);
    }
}
