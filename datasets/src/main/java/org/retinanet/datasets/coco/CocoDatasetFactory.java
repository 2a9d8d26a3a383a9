package org.retinanet.datasets.coco;

import java.nio.file.Path;
import org.retinanet.api.data.DatasetContext;
import org.retinanet.api.data.DetectionDataset;
import org.retinanet.api.spi.DatasetFactory;
import org.retinanet.datasets.ConfigPaths;

/** {@code coco}: a COCO instances JSON file and its image directory. */
public final class CocoDatasetFactory implements DatasetFactory<CocoDatasetConfig> {

    @Override
    public String id() {
        return "coco";
    }

    @Override
    public Class<CocoDatasetConfig> configType() {
        return CocoDatasetConfig.class;
    }

    @Override
    public String description() {
        return "COCO instances JSON (crowd boxes as ignore regions, mmdetection's filters)";
    }

    @Override
    public DetectionDataset create(CocoDatasetConfig config, DatasetContext context) {
        Path annotations = ConfigPaths.resolve(context, config.annotations());
        Path images = config.images() == null ? annotations.getParent() : ConfigPaths.resolve(context, config.images());
        boolean filterEmpty = config.filterEmpty() != null ? config.filterEmpty() : context.training();
        int minSize = config.minSize() != null ? config.minSize() : (context.training() ? 32 : 0);
        boolean readsImages = context.readsImages();
        return new CocoDataset(
                CocoFile.read(annotations, readsImages),
                images,
                filterEmpty,
                minSize,
                config.skipBadImages(),
                readsImages);
    }
}
