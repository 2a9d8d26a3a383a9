package org.retinanet.experiments.train;

/** Asks a training run to stop at the next iteration boundary, after a checkpoint. */
@FunctionalInterface
public interface StopRequest {

    /** Why the run should stop (for example {@code SIGTERM}), or null to go on. */
    String reason();

    StopRequest NEVER = () -> null;
}
