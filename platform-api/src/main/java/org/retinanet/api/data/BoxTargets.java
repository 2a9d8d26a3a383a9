package org.retinanet.api.data;

/**
 * Ground truth of one image in resized-image pixels: {@code boxes} holds n corner boxes
 * (x1, y1, x2, y2) flattened, {@code labels} their contiguous labels, {@code ignore} the crowd /
 * difficult flags (ignore regions, never positives).
 */
public record BoxTargets(float[] boxes, int[] labels, boolean[] ignore) {

    public BoxTargets {
        if (boxes.length != labels.length * 4 || ignore.length != labels.length) {
            throw new IllegalArgumentException("boxes, labels and ignore flags disagree in length");
        }
    }

    public int size() {
        return labels.length;
    }

    public static BoxTargets empty() {
        return new BoxTargets(new float[0], new int[0], new boolean[0]);
    }
}
