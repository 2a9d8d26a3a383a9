package org.retinanet.api.model;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * Losses of one batch: each named component ({@code loss_cls}, {@code loss_bbox}) already
 * normalised and weighted, their total (what backward runs on), and optional diagnostics such as
 * {@code scores_pos} / {@code scores_neg} (sigmoid scores on positive and negative anchors, for
 * TensorBoard histograms), {@code num_pos} and {@code num_neg} (positive and negative anchors in
 * the batch; ignored anchors are neither).
 */
public record LossOutput(Map<String, NDArray> components, NDArray total, Map<String, NDArray> diagnostics) {}
