package org.retinanet.experiments.train.hooks;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.retinanet.api.train.StepOutcome;
import org.retinanet.api.train.TrainingContext;
import org.retinanet.api.train.TrainingHook;
import org.retinanet.experiments.train.Checkpoints;
import org.retinanet.experiments.train.TrainingFailedException;

/**
 * Fails the run on a non-finite loss component or gradient norm, naming what, where, and the last
 * good checkpoint (the optimizer leaves the weights alone on such a step). Runs first after each
 * step, so nothing after it logs or saves a broken step.
 */
public final class NonFiniteGuardHook implements TrainingHook {

    private final Supplier<String> gradientReport;
    private final BooleanSupplier skippedByLossScale;

    /** {@code gradientReport}: what made the optimizer's last gradient norm non-finite. */
    public NonFiniteGuardHook(Supplier<String> gradientReport) {
        this(gradientReport, () -> false);
    }

    /**
     * {@code skippedByLossScale}: whether fp16's loss scale skipped the last step; its non-finite
     * gradients are then the scale's business (it backs off), not a failure.
     */
    public NonFiniteGuardHook(Supplier<String> gradientReport, BooleanSupplier skippedByLossScale) {
        this.gradientReport = gradientReport;
        this.skippedByLossScale = skippedByLossScale;
    }

    @Override
    public void afterStep(TrainingContext run, StepOutcome step) {
        for (Map.Entry<String, Double> e : step.losses().entrySet()) {
            if (!e.getKey().equals("loss") && !Double.isFinite(e.getValue())) {
                throw failure(run, e.getKey());
            }
        }
        if (!Double.isFinite(step.gradientNorm()) && !skippedByLossScale.getAsBoolean()) {
            throw failure(run, gradientReport.get());
        }
    }

    private static TrainingFailedException failure(TrainingContext run, String what) {
        String last;
        try {
            Path latest = new Checkpoints(run.runDirectory(), 1).latest();
            last = latest == null ? "no checkpoint was written yet" : "the last good checkpoint is " + latest;
        } catch (IOException | RuntimeException e) {
            last = "checkpoints could not be listed";
        }
        return new TrainingFailedException(String.format(
                "non-finite %s at iteration %d (epoch %d, lr %.6g); %s. Usual causes: a learning rate too high"
                        + " for the batch size (scale lr linearly with the total batch, or set train.autoScaleLr),"
                        + " missing or too short warmup (train.warmupIters), or no gradient clipping"
                        + " (train.gradClipNorm: 35 as mmdetection suggests).",
                what, run.iteration(), run.epoch() + 1, run.learningRate(), last));
    }
}
