package org.retinanet.api.loss;

import ai.djl.ndarray.NDArray;

/**
 * Un-normalised loss of a batch: the sum per image, shape (N), and optionally the loss's own
 * normaliser per image (OHEM normalises by the anchors it kept); null means the configured
 * {@link LossNormalization} applies.
 */
public record LossValue(NDArray perImage, NDArray ownNormalizer) {

    public static LossValue of(NDArray perImage) {
        return new LossValue(perImage, null);
    }
}
