package org.retinanet.experiments.train.hooks;

import org.retinanet.api.train.StepOutcome;
import org.retinanet.api.train.TrainingContext;
import org.retinanet.api.train.TrainingHook;

/**
 * Checkpoints every {@code interval} iterations, at each epoch's end (the position then reads
 * "next epoch, first batch", so a resume starts there), and at the run's end.
 */
public final class CheckpointHook implements TrainingHook {

    private final Checkpointer checkpointer;
    private final int interval;

    public CheckpointHook(Checkpointer checkpointer, int interval) {
        this.checkpointer = checkpointer;
        this.interval = interval;
    }

    @Override
    public void afterStep(TrainingContext run, StepOutcome step) {
        if (run.iteration() % interval == 0) {
            checkpointer.save();
        }
    }

    @Override
    public void afterEpoch(TrainingContext run) {
        checkpointer.save();
    }

    @Override
    public void afterTrain(TrainingContext run) {
        if (run.iteration() > 0) {
            checkpointer.ensureSaved();
        }
    }
}
