package org.retinanet.api.model;

import java.util.List;
import org.retinanet.api.data.Detection;
import org.retinanet.api.data.ImageMeta;

/**
 * A dense detection head with everything that depends on its anchors: target assignment, box
 * coding, losses and inference post-processing.
 *
 * <p>Forward: {@code NDList} of the L pyramid levels (N, C, H, W) to {@code NDList} of 2L maps
 * that keep each level's spatial shape, as mmdetection's heads do: the classification logits of
 * each level, shape (N, A*K, H, W), then the box deltas of each level, shape (N, A*4, H, W);
 * channel a*K + c is anchor a, class c. {@link HeadOutput} views that list per level; the feature
 * sizes that {@link #loss} and {@link #detect} need are the maps' H and W.
 */
public interface DenseHead extends ai.djl.nn.Block, CheckpointKeys {

    int numClasses();

    int anchorsPerLocation();

    /**
     * Training losses for one batch, normalised and weighted; never updates parameters. All
     * arrays are created under the manager of {@code headOutput}.
     */
    LossOutput loss(HeadOutput headOutput, DetectionBatch batch);

    /** Detections per image, in original image coordinates (rescaled, clipped). */
    List<List<Detection>> detect(HeadOutput headOutput, List<ImageMeta> metas);
}
