package org.retinanet.experiments.train;

/** A run that stopped on purpose (non-finite loss): the message explains what happened and what to try. */
public final class TrainingFailedException extends RuntimeException {

    public TrainingFailedException(String message) {
        super(message);
    }
}
