package org.retinanet.datasets.eval;

import org.retinanet.api.data.DetectionEvaluator;
import org.retinanet.api.spi.EvaluatorFactory;

/** {@code type: coco}: pycocotools' COCOeval for boxes, with identical numbers. */
public final class CocoEvaluatorFactory implements EvaluatorFactory<CocoEvaluatorConfig> {

    @Override
    public String id() {
        return "coco";
    }

    @Override
    public Class<CocoEvaluatorConfig> configType() {
        return CocoEvaluatorConfig.class;
    }

    @Override
    public String description() {
        return "COCO box AP/AR (pycocotools COCOeval, identical numbers) and per-class AP";
    }

    @Override
    public DetectionEvaluator create(CocoEvaluatorConfig config) {
        return new CocoEvaluator(config);
    }
}
