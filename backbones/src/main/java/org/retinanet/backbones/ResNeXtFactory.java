package org.retinanet.backbones;

import org.retinanet.api.model.Backbone;
import org.retinanet.api.spi.BackboneFactory;

/** {@code type: resnext}: ResNeXt-50/101/152 with any groups x baseWidth (32x4d, 64x4d, ...). */
public final class ResNeXtFactory implements BackboneFactory<ResNeXtConfig> {

    @Override
    public String id() {
        return "resnext";
    }

    @Override
    public Class<ResNeXtConfig> configType() {
        return ResNeXtConfig.class;
    }

    @Override
    public String description() {
        return "ResNeXt-50/101/152 (groups x baseWidth, e.g. 32x4d, 64x4d), same options as resnet";
    }

    @Override
    public Backbone create(ResNeXtConfig config) {
        return new ResNet(config.settings());
    }
}
