package org.retinanet.experiments.train;

import java.nio.file.Path;

/** A run that stopped when asked to (a signal), at an iteration boundary, with its checkpoint written. */
public final class TrainingStoppedException extends RuntimeException {

    private final long iteration;

    public TrainingStoppedException(String reason, long iteration, Path checkpoint) {
        super("stopped by " + reason + " at iteration " + iteration
                + (checkpoint == null ? " (before the first step: nothing to save)" : "; checkpoint " + checkpoint)
                + "; train --resume continues it exactly");
        this.iteration = iteration;
    }

    public long iteration() {
        return iteration;
    }
}
