package org.retinanet.api.box;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;

/**
 * Dense priors (anchors) per pyramid level, ordered (y, x, prior) like a dense head's outputs
 * (mmdetection's {@code prior_generators}). Boxes are (x1, y1, x2, y2) float32.
 */
public interface PriorGenerator {

    /** Pyramid levels this generator is configured for. */
    int numLevels();

    /** Priors at each feature-map location. */
    int priorsPerLocation();

    /** The configured stride of each level (to check against the neck). */
    List<Integer> strides();

    /** Stride {height, width} of a level for a batch padded to {@code paddedHeight} x {@code paddedWidth}. */
    int[] stride(int level, GridSize grid, int paddedHeight, int paddedWidth);

    /** Priors of one level as a host array (H * W * A * 4). */
    float[] levelPriors(int level, GridSize grid, int strideHeight, int strideWidth);

    /** All levels' priors, concatenated, (M, 4) on {@code manager}'s device. */
    NDArray priors(NDManager manager, List<GridSize> grids, int paddedHeight, int paddedWidth);

    /** (M) boolean: which priors lie in the image's own region of the padded batch. */
    NDArray validMask(
            NDManager manager,
            List<GridSize> grids,
            int paddedHeight,
            int paddedWidth,
            int imageHeight,
            int imageWidth);
}
