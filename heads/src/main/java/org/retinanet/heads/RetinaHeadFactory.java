package org.retinanet.heads;

import org.retinanet.api.model.DenseHead;
import org.retinanet.api.model.HeadContext;
import org.retinanet.api.spi.HeadFactory;

/** The {@code retina} head: RetinaNet's towers, anchors, max-IoU assignment, delta coding and NMS. */
public final class RetinaHeadFactory implements HeadFactory<RetinaHeadConfig> {

    public static final String ID = "retina";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Class<RetinaHeadConfig> configType() {
        return RetinaHeadConfig.class;
    }

    @Override
    public String description() {
        return "RetinaNet head (shared conv towers, anchors, max-IoU assigner, delta coder, class-wise NMS)";
    }

    @Override
    public DenseHead create(RetinaHeadConfig config, HeadContext context) {
        return new RetinaHead(config == null ? RetinaHeadConfig.defaults() : config, context);
    }
}
