package org.retinanet.api.spi;

import org.retinanet.api.config.DatasetConfig;
import org.retinanet.api.data.DatasetContext;
import org.retinanet.api.data.DetectionDataset;

/** Builds a detection dataset (annotations + image access) from its config. */
public interface DatasetFactory<C extends DatasetConfig> extends ComponentFactory<C> {

    DetectionDataset create(C config, DatasetContext context);

    @Override
    default Kind kind() {
        return Kind.DATASET;
    }
}
