package org.retinanet.api.train;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * One iteration as the loop saw it. {@code losses}: each component and their sum as {@code loss}
 * (host values); {@code diagnostics}: the loss's diagnostic arrays ({@code num_pos},
 * {@code num_neg}, {@code scores_pos}, ...) over {@code diagnosticImages} images (the first
 * device's share of the batch), valid only during {@link TrainingHook#afterStep}.
 */
public record StepOutcome(
        Map<String, Double> losses,
        double gradientNorm,
        int images,
        double stepSeconds,
        double dataSeconds,
        Map<String, NDArray> diagnostics,
        int diagnosticImages) {

    public double loss() {
        return losses.getOrDefault("loss", Double.NaN);
    }
}
