package org.retinanet.necks;

import java.util.List;
import org.retinanet.api.spi.NeckFactory;
import org.retinanet.api.spi.RetinanetPlugin;

/** Necks: the feature pyramid network ({@code fpn}) in its mmdetection and torchvision flavours. */
public final class NecksPlugin implements RetinanetPlugin {

    @Override
    public List<NeckFactory<?>> necks() {
        return List.of(new FpnFactory());
    }
}
