package org.retinanet.api.box.modules;

import org.retinanet.api.config.AssignerConfig;

/**
 * Config of the {@code max_iou} assigner ({@link MaxIouAssigner}); defaults are mmdetection's
 * RetinaNet. Messages name the keys where a head nests it ({@code head.assigner}).
 *
 * @param posIouThr anchors with max IoU >= this are positives (0.5)
 * @param negIouThr anchors with 0 <= max IoU < this are negatives (0.4); the band between is ignored
 * @param minPosIou a gt's best anchors are matched only if their IoU >= this (0)
 * @param matchLowQuality give every gt its best anchors even below posIouThr (true)
 * @param gtMaxAssignAll all anchors tied at a gt's best IoU get it (true), else only the first
 * @param lowQualityMatch {@code last_gt}: such an anchor takes that gt, a later gt overwriting an
 *     earlier one (mmdetection); {@code best_gt}: it takes its own highest-IoU gt (torchvision)
 * @param ignoreIofThr crowd/ignore boxes: anchors whose intersection over their own area with
 *     any ignore box is > this are ignored and never positive; negative (-1, mmdetection's
 *     default) drops ignore boxes altogether
 */
public record MaxIouAssignerConfig(
        Double posIouThr,
        Double negIouThr,
        Double minPosIou,
        Boolean matchLowQuality,
        Boolean gtMaxAssignAll,
        String lowQualityMatch,
        Double ignoreIofThr)
        implements AssignerConfig {

    public static final String LOW_QUALITY_LAST_GT = "last_gt";
    public static final String LOW_QUALITY_BEST_GT = "best_gt";

    /** mmdetection's RetinaNet assigner. */
    public static MaxIouAssignerConfig defaults() {
        return new MaxIouAssignerConfig(null, null, null, null, null, null, null);
    }

    public MaxIouAssignerConfig {
        posIouThr = posIouThr == null ? 0.5 : posIouThr;
        negIouThr = negIouThr == null ? 0.4 : negIouThr;
        minPosIou = minPosIou == null ? 0.0 : minPosIou;
        matchLowQuality = matchLowQuality == null || matchLowQuality;
        gtMaxAssignAll = gtMaxAssignAll == null || gtMaxAssignAll;
        lowQualityMatch = lowQualityMatch == null ? LOW_QUALITY_LAST_GT : lowQualityMatch;
        ignoreIofThr = ignoreIofThr == null ? -1.0 : ignoreIofThr;
        if (!(posIouThr >= 0 && posIouThr <= 1)) {
            throw new IllegalArgumentException("head.assigner.posIouThr must be in [0, 1], got " + posIouThr);
        }
        if (!(negIouThr >= 0 && negIouThr <= posIouThr)) {
            throw new IllegalArgumentException("head.assigner.negIouThr must be in [0, posIouThr], got " + negIouThr);
        }
        if (!lowQualityMatch.equals(LOW_QUALITY_LAST_GT) && !lowQualityMatch.equals(LOW_QUALITY_BEST_GT)) {
            throw new IllegalArgumentException(
                    "head.assigner.lowQualityMatch '" + lowQualityMatch + "' is not one of last_gt, best_gt");
        }
        if (ignoreIofThr > 1) {
            throw new IllegalArgumentException("head.assigner.ignoreIofThr must be <= 1, got " + ignoreIofThr);
        }
    }
}
