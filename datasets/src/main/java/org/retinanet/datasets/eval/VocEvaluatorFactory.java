package org.retinanet.datasets.eval;

import org.retinanet.api.data.DetectionEvaluator;
import org.retinanet.api.spi.EvaluatorFactory;

/** {@code type: voc}: Pascal VOC AP per class and mAP. */
public final class VocEvaluatorFactory implements EvaluatorFactory<VocEvaluatorConfig> {

    @Override
    public String id() {
        return "voc";
    }

    @Override
    public Class<VocEvaluatorConfig> configType() {
        return VocEvaluatorConfig.class;
    }

    @Override
    public String description() {
        return "Pascal VOC AP per class and mAP (all-point or VOC2007 11-point), difficult boxes ignored";
    }

    @Override
    public DetectionEvaluator create(VocEvaluatorConfig config) {
        return new VocEvaluator(config);
    }
}
