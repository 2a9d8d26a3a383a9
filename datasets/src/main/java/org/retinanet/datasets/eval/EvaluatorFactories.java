package org.retinanet.datasets.eval;

import java.util.List;
import org.retinanet.api.spi.EvaluatorFactory;

/** The evaluator factories of this module. */
public final class EvaluatorFactories {

    private EvaluatorFactories() {}

    public static List<EvaluatorFactory<?>> all() {
        return List.of(new CocoEvaluatorFactory(), new VocEvaluatorFactory());
    }
}
