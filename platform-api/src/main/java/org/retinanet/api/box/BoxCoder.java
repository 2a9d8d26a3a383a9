package org.retinanet.api.box;

import ai.djl.ndarray.NDArray;

/** Regression targets relative to priors and back (mmdetection's {@code coders}), on (..., 4) arrays. */
public interface BoxCoder {

    /** Deltas (..., 4) that take {@code priors} to {@code boxes}. */
    NDArray encode(NDArray priors, NDArray boxes);

    /**
     * Boxes (..., 4) from {@code deltas} and {@code priors} broadcastable to them; a coder may clip
     * them to [0, width] x [0, height] when the size is given (null: not clipped).
     */
    NDArray decode(NDArray priors, NDArray deltas, Integer imageHeight, Integer imageWidth);
}
