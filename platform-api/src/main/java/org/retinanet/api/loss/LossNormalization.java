package org.retinanet.api.loss;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How summed losses become the loss that backward runs on.
 *
 * <ul>
 *   <li>{@code batch_positives}: divide the batch's sum by the sum over images of
 *       max(positives, 1): mmdetection's avg_factor (the paper's "number of anchors assigned to a
 *       ground-truth box"). A loss with its own normaliser (OHEM: anchors kept) divides the sum by
 *       max(sum of its normalisers, 1) instead.
 *   <li>{@code per_image}: divide each image's sum by its own positives (at least 1; or its own
 *       normaliser), then average over images: torchvision.
 *   <li>{@code ema}: divide by an exponential moving average of the batch's positive count with
 *       {@code momentum} (detectron2, 0.9, starting at 100).
 * </ul>
 */
public record LossNormalization(String mode, Double momentum, Double initial) {

    public static final String BATCH_POSITIVES = "batch_positives";
    public static final String PER_IMAGE = "per_image";
    public static final String EMA = "ema";

    @JsonCreator
    public LossNormalization(
            @JsonProperty("mode") String mode,
            @JsonProperty("momentum") Double momentum,
            @JsonProperty("initial") Double initial) {
        this.mode = mode == null ? BATCH_POSITIVES : mode;
        this.momentum = momentum == null ? 0.9 : momentum;
        this.initial = initial == null ? 100.0 : initial;
        if (!this.mode.equals(BATCH_POSITIVES) && !this.mode.equals(PER_IMAGE) && !this.mode.equals(EMA)) {
            throw new IllegalArgumentException(
                    "normalization.mode '" + mode + "' is not one of batch_positives, per_image, ema");
        }
    }

    public static LossNormalization batchPositives() {
        return new LossNormalization(BATCH_POSITIVES, null, null);
    }
}
