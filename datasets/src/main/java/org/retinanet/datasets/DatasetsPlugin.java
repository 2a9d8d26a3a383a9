package org.retinanet.datasets;

import java.util.List;
import org.retinanet.api.spi.DatasetFactory;
import org.retinanet.api.spi.EvaluatorFactory;
import org.retinanet.api.spi.PipelineFactory;
import org.retinanet.api.spi.RetinanetPlugin;
import org.retinanet.datasets.eval.EvaluatorFactories;

/** Datasets (COCO, VOC, synthetic shapes, plain images), the standard pipeline, and evaluators. */
public final class DatasetsPlugin implements RetinanetPlugin {

    @Override
    public List<DatasetFactory<?>> datasets() {
        return DatasetFactories.all();
    }

    @Override
    public List<PipelineFactory<?>> pipelines() {
        return DatasetFactories.pipelines();
    }

    @Override
    public List<EvaluatorFactory<?>> evaluators() {
        return EvaluatorFactories.all();
    }
}
