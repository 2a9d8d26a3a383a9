package org.retinanet.heads.loss;

import ai.djl.ndarray.NDArray;
import org.retinanet.api.loss.LossNormalization;

/**
 * Turns per-image loss sums into the normalised loss, per {@link LossNormalization}:
 * <ul>
 *   <li>{@code batch_positives}: sum over images / sum over images of max(positives, 1)
 *       (mmdetection's avg_factor; without its 1.19e-7 epsilon);
 *   <li>{@code per_image}: mean over images of sum / max(positives, 1) (torchvision);
 *   <li>{@code ema}: sum / EMA of max(batch positives, 1), momentum and start from the config
 *       (detectron2). The EMA is this object's state, advanced once per {@link #begin} call.
 * </ul>
 * A loss's own per-image normaliser (OHEM's kept anchors) replaces the positive counts.
 */
public final class LossNormalizer {

    private final LossNormalization config;
    private double ema;

    public LossNormalizer(LossNormalization config) {
        this.config = config;
        this.ema = config.initial();
    }

    public LossNormalization config() {
        return config;
    }

    /** The normaliser of one batch; advances the EMA when that mode is on. */
    public synchronized Batch begin(NDArray numPositives) {
        double emaNow = Double.NaN;
        if (config.mode().equals(LossNormalization.EMA)) {
            double total = numPositives
                    .sum()
                    .toType(ai.djl.ndarray.types.DataType.FLOAT64, false)
                    .getDouble();
            ema = config.momentum() * ema + (1 - config.momentum()) * Math.max(total, 1.0);
            emaNow = ema;
        }
        return new Batch(numPositives, emaNow);
    }

    /** Current EMA of the positive count (its initial value until the first batch). */
    public synchronized double ema() {
        return ema;
    }

    /** Normalisation of one batch. */
    public final class Batch {
        private final NDArray numPositives;
        private final double ema;

        private Batch(NDArray numPositives, double ema) {
            this.numPositives = numPositives;
            this.ema = ema;
        }

        /** Scalar loss from per-image sums (N); {@code ownNormalizer} (N) or null. */
        public NDArray apply(NDArray perImage, NDArray ownNormalizer) {
            String mode = config.mode();
            if (ownNormalizer != null) {
                NDArray own = ownNormalizer.toType(perImage.getDataType(), false);
                return mode.equals(LossNormalization.PER_IMAGE)
                        ? perImage.div(own.maximum(1f)).mean()
                        : perImage.sum().div(own.sum().maximum(1f));
            }
            NDArray atLeastOne = numPositives.maximum(1f);
            return switch (mode) {
                case LossNormalization.PER_IMAGE -> perImage.div(atLeastOne).mean();
                case LossNormalization.EMA -> perImage.sum().div((float) ema);
                default -> perImage.sum().div(atLeastOne.sum());
            };
        }
    }
}
