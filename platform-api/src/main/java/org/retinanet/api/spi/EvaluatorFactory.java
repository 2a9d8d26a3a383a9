package org.retinanet.api.spi;

import org.retinanet.api.config.EvaluatorConfig;
import org.retinanet.api.data.DetectionEvaluator;

/** Builds an evaluator (COCO, VOC, ...). */
public interface EvaluatorFactory<C extends EvaluatorConfig> extends ComponentFactory<C> {

    DetectionEvaluator create(C config);

    @Override
    default Kind kind() {
        return Kind.EVALUATOR;
    }
}
