package org.retinanet.backbones;

import org.retinanet.api.model.Backbone;
import org.retinanet.api.spi.BackboneFactory;

/** {@code type: resnet}: ResNet-18/34/50/101/152. */
public final class ResNetFactory implements BackboneFactory<ResNetConfig> {

    @Override
    public String id() {
        return "resnet";
    }

    @Override
    public Class<ResNetConfig> configType() {
        return ResNetConfig.class;
    }

    @Override
    public String description() {
        return "ResNet-18/34/50/101/152 (torchvision names), pytorch or caffe style, frozen stages, norm_eval, BN/frozen BN/GN";
    }

    @Override
    public Backbone create(ResNetConfig config) {
        return new ResNet(config.settings());
    }
}
