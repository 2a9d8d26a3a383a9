package org.retinanet.backbones;

import java.util.List;
import org.retinanet.api.spi.BackboneFactory;
import org.retinanet.api.spi.RetinanetPlugin;

/** The backbones plugin: {@code resnet} and {@code resnext}. */
public final class BackbonesPlugin implements RetinanetPlugin {

    @Override
    public List<BackboneFactory<?>> backbones() {
        return List.of(new ResNetFactory(), new ResNeXtFactory());
    }
}
