package org.retinanet.datasets.voc;

import org.retinanet.api.data.DatasetContext;
import org.retinanet.api.data.DetectionDataset;
import org.retinanet.api.spi.DatasetFactory;
import org.retinanet.datasets.ConfigPaths;

/** {@code voc}: Pascal VOC XML annotations (difficult objects as ignore regions). */
public final class VocDatasetFactory implements DatasetFactory<VocDatasetConfig> {

    @Override
    public String id() {
        return "voc";
    }

    @Override
    public Class<VocDatasetConfig> configType() {
        return VocDatasetConfig.class;
    }

    @Override
    public String description() {
        return "Pascal VOC (Annotations/*.xml, JPEGImages, ImageSets/Main/<split>.txt); difficult as ignore";
    }

    @Override
    public DetectionDataset create(VocDatasetConfig config, DatasetContext context) {
        String split = config.split() != null ? config.split() : (context.training() ? "trainval" : "test");
        boolean filterEmpty = config.filterEmpty() != null ? config.filterEmpty() : context.training();
        int minSize = config.minSize() != null ? config.minSize() : (context.training() ? 32 : 0);
        return new VocDataset(
                ConfigPaths.resolve(context, config.root()),
                split,
                config.classes(),
                filterEmpty,
                minSize,
                config.skipBadImages());
    }
}
