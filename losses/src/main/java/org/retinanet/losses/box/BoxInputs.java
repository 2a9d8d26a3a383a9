package org.retinanet.losses.box;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.retinanet.api.loss.BoxInput;

/** Shape checks shared by the box losses. */
final class BoxInputs {

    private BoxInputs() {}

    /** Checks weights (N, M) and the two (N, M, 4) arrays named; returns (N, M, 4). */
    static Shape check(String loss, BoxInput input, boolean decoded) {
        NDArray weights = input.weights();
        if (weights == null || weights.getShape().dimension() != 2) {
            throw new IllegalArgumentException(
                    loss + ": weights must be (N, M), got " + (weights == null ? "null" : weights.getShape()));
        }
        Shape expected = new Shape(weights.getShape().get(0), weights.getShape().get(1), 4);
        if (decoded) {
            require(loss, "predBoxes", input.predBoxes(), expected);
            require(loss, "targetBoxes", input.targetBoxes(), expected);
        } else {
            require(loss, "predDeltas", input.predDeltas(), expected);
            require(loss, "targetDeltas", input.targetDeltas(), expected);
        }
        return expected;
    }

    private static void require(String loss, String name, NDArray array, Shape expected) {
        if (array == null) {
            throw new IllegalArgumentException(loss + ": BoxInput." + name + " is null");
        }
        if (!array.getShape().equals(expected)) {
            throw new IllegalArgumentException(
                    loss + ": BoxInput." + name + " must be " + expected + ", got " + array.getShape());
        }
    }
}
