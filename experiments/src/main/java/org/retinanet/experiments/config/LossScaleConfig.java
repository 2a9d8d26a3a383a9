package org.retinanet.experiments.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The loss scale of fp16 training, torch's GradScaler as mmdetection's AmpOptimWrapper uses it
 * ({@code loss_scale='dynamic'}): start at {@code init}, multiply by {@code backoffFactor} and skip
 * the step when a gradient is not finite, multiply by {@code growthFactor} after
 * {@code growthInterval} finite steps in a row. {@code dynamic: false} keeps {@code init} fixed
 * (mmdetection 2.x's {@code fp16 = dict(loss_scale=512.)}); a non-finite step is still skipped.
 */
public record LossScaleConfig(
        Boolean dynamic, Double init, Double growthFactor, Double backoffFactor, Integer growthInterval) {

    public LossScaleConfig(
            @JsonProperty("dynamic") Boolean dynamic,
            @JsonProperty("init") Double init,
            @JsonProperty("growthFactor") Double growthFactor,
            @JsonProperty("backoffFactor") Double backoffFactor,
            @JsonProperty("growthInterval") Integer growthInterval) {
        this.dynamic = dynamic == null || dynamic;
        this.init = init == null ? 65536.0 : init;
        this.growthFactor = growthFactor == null ? 2.0 : growthFactor;
        this.backoffFactor = backoffFactor == null ? 0.5 : backoffFactor;
        this.growthInterval = growthInterval == null ? 2000 : growthInterval;
        if (!(this.init > 0) || Double.isInfinite(this.init)) {
            throw new IllegalArgumentException("train.lossScale.init must be positive and finite, got " + this.init);
        }
        if (!(this.growthFactor > 1)) {
            throw new IllegalArgumentException("train.lossScale.growthFactor must be > 1, got " + this.growthFactor);
        }
        if (!(this.backoffFactor > 0 && this.backoffFactor < 1)) {
            throw new IllegalArgumentException(
                    "train.lossScale.backoffFactor must be in (0, 1), got " + this.backoffFactor);
        }
        if (this.growthInterval < 1) {
            throw new IllegalArgumentException(
                    "train.lossScale.growthInterval must be >= 1, got " + this.growthInterval);
        }
    }

    public static LossScaleConfig defaults() {
        return new LossScaleConfig(null, null, null, null, null);
    }
}
