package org.retinanet.api.box;

import ai.djl.ndarray.NDArray;

/**
 * Assigns one image's priors to its ground truth (mmdetection's {@code assigners}). The result per
 * prior is an int64 code: the matched gt index (>= 0), {@link #NEGATIVE} (background) or {@link
 * #IGNORED} (no loss), torchvision's Matcher codes.
 */
public interface Assigner {

    int NEGATIVE = -1;
    int IGNORED = -2;

    /**
     * @param priors (M, 4)
     * @param valid (M) boolean, or null when every prior is valid; invalid priors are ignored
     * @param gtBoxes (G, 4), G may be 0
     * @param ignoreBoxes (I, 4) crowd / ignore regions, or null
     * @return (M) int64 codes
     */
    NDArray assign(NDArray priors, NDArray valid, NDArray gtBoxes, NDArray ignoreBoxes);
}
