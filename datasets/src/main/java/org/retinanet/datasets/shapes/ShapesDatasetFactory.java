package org.retinanet.datasets.shapes;

import org.retinanet.api.data.DatasetContext;
import org.retinanet.api.data.DetectionDataset;
import org.retinanet.api.spi.DatasetFactory;

/** {@code shapes}: the embedded synthetic dataset (no download). */
public final class ShapesDatasetFactory implements DatasetFactory<ShapesDatasetConfig> {

    @Override
    public String id() {
        return "shapes";
    }

    @Override
    public Class<ShapesDatasetConfig> configType() {
        return ShapesDatasetConfig.class;
    }

    @Override
    public String description() {
        return "synthetic rectangles, ellipses, triangles and crosses with occlusion and clutter, generated from a seed";
    }

    @Override
    public DetectionDataset create(ShapesDatasetConfig config, DatasetContext context) {
        long seed = config.seed() != null ? config.seed() : (context.training() ? 1L : 2L);
        return new ShapesDataset(config, seed);
    }
}
