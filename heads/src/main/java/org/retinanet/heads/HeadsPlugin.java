package org.retinanet.heads;

import java.util.List;
import org.retinanet.api.spi.HeadFactory;
import org.retinanet.api.spi.RetinanetPlugin;

/** Contributes the dense heads of this module. */
public final class HeadsPlugin implements RetinanetPlugin {

    @Override
    public List<HeadFactory<?>> heads() {
        return List.of(new RetinaHeadFactory());
    }
}
