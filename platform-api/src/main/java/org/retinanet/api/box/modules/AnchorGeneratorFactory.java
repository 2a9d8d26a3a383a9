package org.retinanet.api.box.modules;

import org.retinanet.api.box.PriorGenerator;
import org.retinanet.api.spi.PriorGeneratorFactory;

/** The {@code anchor_generator} prior generator (mmdetection's AnchorGenerator). */
public final class AnchorGeneratorFactory implements PriorGeneratorFactory<AnchorGeneratorConfig> {

    public static final String ID = "anchor_generator";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Class<AnchorGeneratorConfig> configType() {
        return AnchorGeneratorConfig.class;
    }

    @Override
    public String description() {
        return "Dense anchors per level from octave scales and ratios (mmdetection/torchvision AnchorGenerator)";
    }

    @Override
    public PriorGenerator create(AnchorGeneratorConfig config) {
        return new AnchorGenerator(config);
    }
}
