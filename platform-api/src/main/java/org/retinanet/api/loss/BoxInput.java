package org.retinanet.api.loss;

import ai.djl.ndarray.NDArray;

/**
 * Inputs of a box loss for N images with M anchors.
 *
 * @param predDeltas (N, M, 4) predicted deltas
 * @param targetDeltas (N, M, 4) encoded targets (anything where weight is 0)
 * @param weights (N, M) float, 1 for positives, 0 elsewhere
 * @param predBoxes (N, M, 4) decoded predicted boxes, or null unless
 *     {@link BoxLoss#needsDecodedBoxes()}
 * @param targetBoxes (N, M, 4) matched ground-truth boxes, or null unless
 *     {@link BoxLoss#needsDecodedBoxes()}
 */
public record BoxInput(
        NDArray predDeltas, NDArray targetDeltas, NDArray weights, NDArray predBoxes, NDArray targetBoxes) {}
