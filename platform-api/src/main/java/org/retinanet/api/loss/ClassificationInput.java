package org.retinanet.api.loss;

import ai.djl.ndarray.NDArray;

/**
 * Inputs of a classification loss for N images with M anchors and K classes.
 *
 * @param logits (N, M, K) float logits
 * @param labels (N, M) int32: 0..K-1 for a positive of that class, K for background, -1 for an
 *     anchor that contributes nothing (ignore band, crowd overlap, or batch padding)
 * @param boxLoss (N, M) per-anchor box loss (0 for non-positives), or null unless
 *     {@link ClassificationLoss#needsBoxInputs()}
 * @param predictedBoxes (N, M, 4) decoded predicted boxes for NMS de-duplication, or null unless
 *     {@link ClassificationLoss#needsBoxInputs()}
 */
public record ClassificationInput(NDArray logits, NDArray labels, NDArray boxLoss, NDArray predictedBoxes) {

    public int numClasses() {
        return (int) logits.getShape().get(2);
    }
}
