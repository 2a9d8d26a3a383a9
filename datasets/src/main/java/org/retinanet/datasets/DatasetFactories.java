package org.retinanet.datasets;

import java.util.List;
import org.retinanet.api.spi.DatasetFactory;
import org.retinanet.api.spi.PipelineFactory;

/** The dataset and pipeline factories of this module. */
public final class DatasetFactories {

    private DatasetFactories() {}

    public static List<DatasetFactory<?>> all() {
        return List.of();
    }

    public static List<PipelineFactory<?>> pipelines() {
        return List.of();
    }
}
