package org.retinanet.experiments.tensorboard;

/** HParams plugin {@code Status}; the ordinal is the proto enum number. */
public enum SessionStatus {
    UNKNOWN,
    SUCCESS,
    FAILURE,
    RUNNING;

    static SessionStatus of(long number) {
        return number >= 0 && number < values().length ? values()[(int) number] : UNKNOWN;
    }
}
