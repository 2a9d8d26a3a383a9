package org.retinanet.api.box.modules;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.retinanet.api.box.Assigner;
import org.retinanet.api.box.BoxIou;

/**
 * Max-IoU assignment of one image's anchors to its ground truth, all NDArray ops on the anchors'
 * device. Result per anchor (int64): the matched gt index (>= 0), {@link #NEGATIVE} or
 * {@link #IGNORED} (torchvision's Matcher codes).
 *
 * <p>Rules (mmdetection's MaxIoUAssigner; torchvision's Matcher with {@code best_gt}):
 * <ol>
 *   <li>invalid anchors (batch padding) and anchors whose IoF with an ignore box exceeds
 *       {@code ignoreIofThr} get overlap -1 with every gt: they are ignored, never negative, and
 *       do not count for a gt's best overlap;
 *   <li>max IoU in [0, negIouThr) is negative, >= posIouThr positive (argmax gt), else ignored;
 *   <li>low-quality matches: for every gt whose best IoU is >= minPosIou, the anchors at that
 *       best IoU (all ties, or only the first with gtMaxAssignAll off) become positive, for that
 *       gt with the last gt winning ({@code last_gt}) or for their own argmax gt ({@code best_gt}).
 * </ol>
 * An image without gt has only negatives (and ignored anchors).
 */
public final class MaxIouAssigner implements Assigner {

    private final MaxIouAssignerConfig config;

    public MaxIouAssigner(MaxIouAssignerConfig config) {
        this.config = config;
    }

    /**
     * @param anchors (M, 4)
     * @param valid (M) boolean, or null when every anchor is valid
     * @param gtBoxes (G, 4), G may be 0
     * @param ignoreBoxes (I, 4) crowd / ignore regions, or null
     * @return (M) int64 matches
     */
    @Override
    public NDArray assign(NDArray anchors, NDArray valid, NDArray gtBoxes, NDArray ignoreBoxes) {
        NDManager m = anchors.getManager();
        long numAnchors = anchors.getShape().get(0);
        long numGt = gtBoxes.getShape().get(0);
        NDArray excluded = excludedAnchors(anchors, valid, ignoreBoxes);
        if (numGt == 0 || numAnchors == 0) {
            NDArray negatives = m.full(new Shape(numAnchors), (float) NEGATIVE, DataType.INT64);
            return excluded == null
                    ? negatives
                    : NDArrays.where(
                            excluded, m.full(new Shape(numAnchors), (float) IGNORED, DataType.INT64), negatives);
        }
        NDArray overlaps = BoxIou.iou(gtBoxes, anchors); // (G, M)
        if (excluded != null) {
            overlaps = NDArrays.where(
                    excluded.expandDims(0).broadcast(overlaps.getShape()),
                    overlaps.zerosLike().sub(1f),
                    overlaps);
        }
        return assignOverlaps(overlaps);
    }

    /** Assignment from a (G, M) overlap matrix with G > 0; overlap -1 marks an excluded anchor. */
    public NDArray assignOverlaps(NDArray overlaps) {
        NDManager m = overlaps.getManager();
        long numAnchors = overlaps.getShape().get(1);
        NDArray maxOverlap = overlaps.max(new int[] {0});
        NDArray argmax = overlaps.argMax(0).toType(DataType.INT64, false);

        NDArray ignored = m.full(new Shape(numAnchors), (float) IGNORED, DataType.INT64);
        NDArray negatives = m.full(new Shape(numAnchors), (float) NEGATIVE, DataType.INT64);
        NDArray isNegative = maxOverlap.gte(0f).logicalAnd(maxOverlap.lt((float) (double) config.negIouThr()));
        NDArray matches = NDArrays.where(isNegative, negatives, ignored);
        matches = NDArrays.where(maxOverlap.gte((float) (double) config.posIouThr()), argmax, matches);

        if (config.matchLowQuality()) {
            NDArray gtMax = overlaps.max(new int[] {1}, true); // (G, 1)
            NDArray atGtMax;
            if (config.gtMaxAssignAll()) {
                atGtMax = overlaps.eq(gtMax);
            } else {
                NDArray first = overlaps.argMax(1).toType(DataType.INT64, false).expandDims(1);
                atGtMax = m.arange(0, (int) numAnchors, 1, DataType.INT64)
                        .expandDims(0)
                        .eq(first);
            }
            atGtMax = atGtMax.logicalAnd(gtMax.gte((float) (double) config.minPosIou()));
            NDArray atGtMaxInt = atGtMax.toType(DataType.INT64, false);
            NDArray rescued = atGtMaxInt.max(new int[] {0}).gt(0);
            NDArray lowQualityGt;
            if (config.lowQualityMatch().equals(MaxIouAssignerConfig.LOW_QUALITY_LAST_GT)) {
                // the last gt (in index order) for which this anchor is a best anchor
                long numGt = overlaps.getShape().get(0);
                NDArray gtIndex =
                        m.arange(1, (int) numGt + 1, 1, DataType.INT64).expandDims(1);
                lowQualityGt = atGtMaxInt.mul(gtIndex).max(new int[] {0}).sub(1);
            } else {
                lowQualityGt = argmax;
            }
            matches = NDArrays.where(rescued, lowQualityGt, matches);
        }
        return matches;
    }

    /** (M) boolean of anchors taking part in nothing, or null when there are none to exclude. */
    private NDArray excludedAnchors(NDArray anchors, NDArray valid, NDArray ignoreBoxes) {
        NDArray excluded = valid == null ? null : valid.logicalNot();
        if (config.ignoreIofThr() > 0
                && ignoreBoxes != null
                && ignoreBoxes.getShape().get(0) > 0
                && anchors.getShape().get(0) > 0) {
            NDArray ignoredByCrowd =
                    BoxIou.iof(anchors, ignoreBoxes).max(new int[] {1}).gt((float) (double) config.ignoreIofThr());
            excluded = excluded == null ? ignoredByCrowd : excluded.logicalOr(ignoredByCrowd);
        }
        return excluded;
    }
}
