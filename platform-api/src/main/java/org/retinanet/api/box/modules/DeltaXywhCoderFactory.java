package org.retinanet.api.box.modules;

import org.retinanet.api.box.BoxCoder;
import org.retinanet.api.spi.BoxCoderFactory;

/** The {@code delta_xywh} box coder (mmdetection's DeltaXYWHBBoxCoder). */
public final class DeltaXywhCoderFactory implements BoxCoderFactory<DeltaXywhCoderConfig> {

    public static final String ID = "delta_xywh";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Class<DeltaXywhCoderConfig> configType() {
        return DeltaXywhCoderConfig.class;
    }

    @Override
    public String description() {
        return "(dx, dy, dw, dh) deltas with means/stds and a dw/dh clamp (DeltaXYWHBBoxCoder)";
    }

    @Override
    public BoxCoder create(DeltaXywhCoderConfig config) {
        return new DeltaXywhCoder(config);
    }
}
