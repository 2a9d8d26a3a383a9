package org.retinanet.datasets.pipeline;

import org.retinanet.api.data.BatchPipeline;
import org.retinanet.api.data.PipelineContext;
import org.retinanet.api.spi.PipelineFactory;

/** {@code standard}: keep-ratio resize, flip, normalise, pad to 32, aspect-grouped parallel loader. */
public final class StandardPipelineFactory implements PipelineFactory<StandardPipelineConfig> {

    @Override
    public String id() {
        return "standard";
    }

    @Override
    public Class<StandardPipelineConfig> configType() {
        return StandardPipelineConfig.class;
    }

    @Override
    public String description() {
        return "keep-ratio resize (1333, 800), random flip, normalise, pad to 32; parallel, aspect-grouped loader";
    }

    @Override
    public BatchPipeline create(StandardPipelineConfig config, PipelineContext context) {
        return new StandardPipeline(config, context);
    }
}
