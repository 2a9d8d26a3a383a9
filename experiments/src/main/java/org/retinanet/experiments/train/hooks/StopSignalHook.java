package org.retinanet.experiments.train.hooks;

import java.nio.file.Path;
import org.retinanet.api.train.TrainingContext;
import org.retinanet.api.train.TrainingHook;
import org.retinanet.experiments.train.StopRequest;
import org.retinanet.experiments.train.TrainingStoppedException;

/**
 * At an iteration boundary, when a stop was asked for (SIGTERM, SIGUSR1, Ctrl-C), makes sure a
 * checkpoint of this exact position exists and ends the run; {@code --resume} continues it
 * bit-identically.
 */
public final class StopSignalHook implements TrainingHook {

    private final StopRequest stop;
    private final Checkpointer checkpointer;

    public StopSignalHook(StopRequest stop, Checkpointer checkpointer) {
        this.stop = stop;
        this.checkpointer = checkpointer;
    }

    @Override
    public void beforeStep(TrainingContext run) {
        String reason = stop.reason();
        if (reason != null) {
            Path checkpoint = run.iteration() > 0 ? checkpointer.ensureSaved() : null;
            throw new TrainingStoppedException(reason, run.iteration(), checkpoint);
        }
    }
}
