package org.retinanet.datasets.eval;

import org.retinanet.api.config.EvaluatorConfig;

/**
 * Config of the {@code voc} evaluator. {@code iouThreshold} (0.5): a detection is a hit when its
 * best IoU is >= this. {@code use07Metric} (false): VOC2007's 11-point AP instead of the area
 * under the interpolated curve (VOC2010+). {@code legacyCoordinates} (false): widths as
 * x2 - x1 + 1, as the VOC devkit and mmdetection 2.x's VOC evaluation do for integer pixel boxes.
 */
public record VocEvaluatorConfig(Double iouThreshold, Boolean use07Metric, Boolean legacyCoordinates)
        implements EvaluatorConfig {

    public VocEvaluatorConfig {
        iouThreshold = iouThreshold == null ? 0.5 : iouThreshold;
        if (!(iouThreshold > 0 && iouThreshold <= 1)) {
            throw new IllegalArgumentException("iouThreshold: must be in (0, 1], got " + iouThreshold);
        }
        use07Metric = use07Metric == null ? Boolean.FALSE : use07Metric;
        legacyCoordinates = legacyCoordinates == null ? Boolean.FALSE : legacyCoordinates;
    }

    public static VocEvaluatorConfig defaults() {
        return new VocEvaluatorConfig(null, null, null);
    }
}
