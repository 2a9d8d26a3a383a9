package org.retinanet.losses;

/** Validation shared by the loss config records; every message names the loss, the field and the value. */
public final class ConfigChecks {

    private ConfigChecks() {}

    public static void nonNegative(String loss, String field, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(loss + ": " + field + " must be a finite number >= 0, got " + value);
        }
    }

    public static void positive(String loss, String field, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(loss + ": " + field + " must be a finite number > 0, got " + value);
        }
    }

    public static void positive(String loss, String field, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(loss + ": " + field + " must be > 0, got " + value);
        }
    }

    /** alpha weights positives by alpha and negatives by 1 - alpha; a negative alpha switches it off. */
    public static void alpha(String loss, double alpha) {
        if (Double.isNaN(alpha) || alpha == 0 || alpha >= 1) {
            throw new IllegalArgumentException(
                    loss + ": alpha must be in (0, 1), or < 0 for no alpha weighting, got " + alpha);
        }
    }

    /** An exponential-moving-average momentum in [0, 1). */
    public static void momentum(String loss, double momentum) {
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException(loss + ": momentum must be in [0, 1), got " + momentum);
        }
    }
}
