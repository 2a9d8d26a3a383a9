package org.retinanet.api.data;

import java.util.Map;

/**
 * Evaluation output: the headline metrics in a stable order (for COCO: AP, AP50, AP75, APs, APm,
 * APl, AR1, AR10, AR100, ARs, ARm, ARl; -1 where undefined, as pycocotools), AP per class name,
 * and the human-readable summary (pycocotools' text for COCO).
 */
public record EvaluationResult(Map<String, Double> metrics, Map<String, Double> perClassAp, String summary) {

    /** The metric that ranks runs (AP for COCO, mAP for VOC). */
    public double primary() {
        return metrics.values().iterator().next();
    }
}
