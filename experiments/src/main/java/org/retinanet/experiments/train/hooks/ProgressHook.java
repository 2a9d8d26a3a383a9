package org.retinanet.experiments.train.hooks;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.retinanet.api.train.StepOutcome;
import org.retinanet.api.train.TrainingContext;
import org.retinanet.api.train.TrainingHook;
import org.retinanet.experiments.train.Progress;
import org.retinanet.experiments.train.RunManifest;

/** The console progress line, and the manifest's iteration and loss every {@code interval} iterations. */
public final class ProgressHook implements TrainingHook {

    private final Progress progress;
    private final RunManifest manifest;
    private final int interval;

    public ProgressHook(Progress progress, RunManifest manifest, int interval) {
        this.progress = progress;
        this.manifest = manifest;
        this.interval = interval;
    }

    @Override
    public void afterStep(TrainingContext run, StepOutcome step) {
        progress.step(
                run.iteration(),
                run.epoch(),
                step.losses(),
                run.learningRate(),
                step.images() / step.stepSeconds(),
                step.dataSeconds());
        if (run.iteration() % interval == 0) {
            try {
                manifest.progress(run.iteration(), run.epoch(), step.loss());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Override
    public void afterTrain(TrainingContext run) {
        progress.done();
    }
}
