package org.retinanet.experiments.train.hooks;

import java.nio.file.Path;

/** Writes the run's checkpoint at its current position (weights, optimizer, position, hook state). */
public interface Checkpointer {

    /** A new checkpoint of the current position. */
    Path save();

    /** The latest checkpoint when it is of the current iteration, else a new one. */
    Path ensureSaved();
}
