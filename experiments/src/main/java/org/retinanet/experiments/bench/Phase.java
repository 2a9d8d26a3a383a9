package org.retinanet.experiments.bench;

/**
 * The parts of a step that {@code retinanet bench} times separately. {@link #OTHER} is the rest of
 * the step's wall time (closing the step's NDManager frees its native arrays, bookkeeping).
 */
public enum Phase {
    /** Host batch to the device: NDArray creation from the float[] and the copy. */
    DATA("data"),
    /** Backbone, neck and head towers. */
    FORWARD("forward"),
    /** Anchors, target assignment, box encoding and the loss plugins ({@code DenseHead.loss}). */
    LOSS("loss"),
    BACKWARD("backward"),
    /** Gradient norm (clipping), weight decay, momentum, update. */
    OPTIMIZER("optimizer"),
    /** Scores, top-k, decoding, NMS and the copy of detections to the host ({@code DenseHead.detect}). */
    POSTPROCESS("postprocess"),
    OTHER("other");

    private final String key;

    Phase(String key) {
        this.key = key;
    }

    /** The name in reports and JSON. */
    public String key() {
        return key;
    }
}
