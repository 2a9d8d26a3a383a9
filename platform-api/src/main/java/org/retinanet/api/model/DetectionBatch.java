package org.retinanet.api.model;

import ai.djl.ndarray.NDArray;
import java.util.List;
import org.retinanet.api.data.BoxTargets;
import org.retinanet.api.data.ImageMeta;

/**
 * A padded batch on the model's device: images (N, 3, H, W), and per image its geometry and
 * ground truth in the coordinates of the resized (unpadded) image.
 */
public record DetectionBatch(NDArray images, List<ImageMeta> metas, List<BoxTargets> targets) {}
