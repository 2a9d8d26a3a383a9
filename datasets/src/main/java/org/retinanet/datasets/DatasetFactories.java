package org.retinanet.datasets;

import java.util.List;
import org.retinanet.api.spi.DatasetFactory;
import org.retinanet.api.spi.PipelineFactory;
import org.retinanet.datasets.coco.CocoDatasetFactory;
import org.retinanet.datasets.images.ImageListFactory;
import org.retinanet.datasets.pipeline.StandardPipelineFactory;
import org.retinanet.datasets.shapes.ShapesDatasetFactory;
import org.retinanet.datasets.voc.VocDatasetFactory;

/** The dataset and pipeline factories of this module. */
public final class DatasetFactories {

    private DatasetFactories() {}

    public static List<DatasetFactory<?>> all() {
        return List.of(
                new CocoDatasetFactory(), new VocDatasetFactory(), new ShapesDatasetFactory(), new ImageListFactory());
    }

    public static List<PipelineFactory<?>> pipelines() {
        return List.of(new StandardPipelineFactory());
    }
}
