package org.retinanet.api.loss;

import ai.djl.ndarray.NDArray;

/** A box regression loss; returns the loss per anchor, shape (N, M), zero where weight is 0. */
public interface BoxLoss {

    NDArray compute(BoxInput input);

    /** Whether the loss works on decoded boxes (GIoU) rather than deltas. */
    default boolean needsDecodedBoxes() {
        return false;
    }
}
