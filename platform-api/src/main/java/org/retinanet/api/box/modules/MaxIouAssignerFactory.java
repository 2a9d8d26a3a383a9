package org.retinanet.api.box.modules;

import org.retinanet.api.box.Assigner;
import org.retinanet.api.spi.AssignerFactory;

/** The {@code max_iou} assigner (mmdetection's MaxIoUAssigner). */
public final class MaxIouAssignerFactory implements AssignerFactory<MaxIouAssignerConfig> {

    public static final String ID = "max_iou";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Class<MaxIouAssignerConfig> configType() {
        return MaxIouAssignerConfig.class;
    }

    @Override
    public String description() {
        return "Max-IoU assignment with positive/negative/min-positive thresholds and ignore regions (MaxIoUAssigner)";
    }

    @Override
    public Assigner create(MaxIouAssignerConfig config) {
        return new MaxIouAssigner(config);
    }
}
