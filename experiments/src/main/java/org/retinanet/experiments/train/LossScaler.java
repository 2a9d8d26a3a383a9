package org.retinanet.experiments.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.retinanet.api.train.StepOutcome;
import org.retinanet.api.train.TrainingContext;
import org.retinanet.api.train.TrainingHook;
import org.retinanet.experiments.config.LossScaleConfig;

/**
 * fp16 training's loss scale, with torch GradScaler's rules ({@link LossScaleConfig}): the step
 * multiplies the loss by {@link #scale()} and the gradients by its inverse, and reports with
 * {@link #update} whether they were finite. As a hook it logs {@code train/loss_scale} and
 * {@code train/skipped_steps}, says when a step was skipped, and keeps its state in checkpoints, so
 * that a resumed run scales exactly as an uninterrupted one.
 */
public final class LossScaler implements TrainingHook {

    private final LossScaleConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> saved = new LinkedHashMap<>();
    private double scale;
    private long finiteInARow;
    private long skipped;
    private boolean lastSkipped;
    private double skippedAt;

    /** {@code manager}: where the arrays of {@link #state()} live (the run's). */
    public LossScaler(LossScaleConfig config, NDManager manager) {
        this.config = config;
        this.manager = manager;
        this.scale = config.init();
    }

    /** The scale of the next step's loss. */
    public float scale() {
        return (float) scale;
    }

    /** After a step's gradients are checked: backs off and counts a skip, or grows after enough finite steps. */
    public void update(boolean finite) {
        lastSkipped = !finite;
        if (!finite) {
            skipped++;
            skippedAt = scale;
            finiteInARow = 0;
            if (config.dynamic()) {
                scale *= config.backoffFactor();
            }
            return;
        }
        if (config.dynamic() && ++finiteInARow >= config.growthInterval()) {
            scale *= config.growthFactor();
            finiteInARow = 0;
        }
    }

    /**
     * After the optimizer saw a step's unscaled gradients (their norm): a non-finite norm means the
     * optimizer left the weights alone, so the step is skipped, the scale backs off, and the
     * weights' own gradients (Inf or NaN) are cleared for the next step.
     */
    public void record(double gradientNorm, StepWeights weights, Map<String, Parameter> trainable) {
        update(Double.isFinite(gradientNorm));
        if (lastSkipped) {
            weights.discardGradients(trainable);
        }
    }

    /** Whether the last step's gradients were not finite, so that the optimizer skipped it. */
    public boolean lastStepSkipped() {
        return lastSkipped;
    }

    public long skippedSteps() {
        return skipped;
    }

    @Override
    public void afterStep(TrainingContext run, StepOutcome step) {
        if (lastSkipped) {
            System.err.printf(
                    "retinanet: iteration %d: fp16 gradients overflowed at loss scale %.6g; step skipped, scale now"
                            + " %.6g (%d skipped so far)%n",
                    run.iteration(), skippedAt, scale, skipped);
        }
        run.scalar("train/loss_scale", scale);
        run.scalar("train/skipped_steps", skipped);
    }

    @Override
    public Map<String, NDArray> state() {
        // fresh arrays for each checkpoint; the previous ones were written already
        saved.values().forEach(NDArray::close);
        saved.put("scale", manager.create(scale));
        saved.put("finite_in_a_row", manager.create((double) finiteInARow));
        saved.put("skipped", manager.create((double) skipped));
        return new LinkedHashMap<>(saved);
    }

    @Override
    public void loadState(Map<String, NDArray> state) {
        if (state.isEmpty()) {
            return;
        }
        for (String key : new String[] {"scale", "finite_in_a_row", "skipped"}) {
            if (!state.containsKey(key)) {
                throw new IllegalArgumentException("loss scale state without " + key);
            }
        }
        scale = value(state.get("scale"));
        finiteInARow = (long) value(state.get("finite_in_a_row"));
        skipped = (long) value(state.get("skipped"));
    }

    private static double value(NDArray a) {
        return a.toType(DataType.FLOAT64, false).getDouble();
    }
}
