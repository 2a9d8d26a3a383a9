package org.retinanet.api.spi;

import org.retinanet.api.config.PipelineConfig;
import org.retinanet.api.data.BatchPipeline;
import org.retinanet.api.data.PipelineContext;

/** Builds a data pipeline: transforms, batching and the parallel loader. */
public interface PipelineFactory<C extends PipelineConfig> extends ComponentFactory<C> {

    BatchPipeline create(C config, PipelineContext context);

    @Override
    default Kind kind() {
        return Kind.PIPELINE;
    }
}
