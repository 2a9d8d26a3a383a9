package org.retinanet.necks;

import java.util.List;
import org.retinanet.api.model.FeatureSpec;
import org.retinanet.api.model.Neck;
import org.retinanet.api.spi.NeckFactory;

/** Factory {@code fpn}: builds a {@link Fpn} on the backbone's features. */
public final class FpnFactory implements NeckFactory<FpnConfig> {

    public static final String ID = "fpn";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Class<FpnConfig> configType() {
        return FpnConfig.class;
    }

    @Override
    public String description() {
        return "feature pyramid network: 1x1 laterals, nearest top-down, 3x3 outputs, extra levels (P6/P7)"
                + " from the input, lateral or output, optional GroupNorm";
    }

    @Override
    public Neck create(FpnConfig config, List<FeatureSpec> inputs) {
        return new Fpn(config, inputs);
    }
}
