package org.retinanet.api.model;

import ai.djl.ndarray.NDList;
import java.util.List;
import org.retinanet.api.data.Detection;
import org.retinanet.api.data.ImageMeta;

/**
 * A dense detection head with everything that depends on its anchors: target assignment, box
 * coding, losses and inference post-processing.
 *
 * <p>Forward: {@code NDList} of the L pyramid levels to {@code NDList} of 2L arrays: the
 * classification logits of each level, shape (N, H*W*A, K), then the box deltas of each level,
 * shape (N, H*W*A, 4); locations are ordered (h, w, anchor) as torchvision flattens them.
 */
public interface DenseHead extends ai.djl.nn.Block, CheckpointKeys {

    int numClasses();

    int anchorsPerLocation();

    /**
     * Training losses for one batch, normalised and weighted; never updates parameters. All
     * arrays are created under the manager of {@code headOutput}.
     */
    LossOutput loss(NDList headOutput, DetectionBatch batch);

    /** Detections per image, in original image coordinates (rescaled, clipped). */
    List<List<Detection>> detect(NDList headOutput, List<ImageMeta> metas);
}
