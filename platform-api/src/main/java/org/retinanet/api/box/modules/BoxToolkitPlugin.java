package org.retinanet.api.box.modules;

import java.util.List;
import org.retinanet.api.box.TaskModules;
import org.retinanet.api.registry.DiscoveredPlugin;
import org.retinanet.api.registry.Registry;
import org.retinanet.api.spi.AssignerFactory;
import org.retinanet.api.spi.BoxCoderFactory;
import org.retinanet.api.spi.PriorGeneratorFactory;
import org.retinanet.api.spi.RetinanetPlugin;

/**
 * The platform's built-in box toolkit parts, registered like any plugin's (ServiceLoader entry of
 * platform-api), so {@code retinanet plugins} lists them and configs name them by id.
 */
public final class BoxToolkitPlugin implements RetinanetPlugin {

    @Override
    public List<PriorGeneratorFactory<?>> priorGenerators() {
        return List.of(new AnchorGeneratorFactory());
    }

    @Override
    public List<AssignerFactory<?>> assigners() {
        return List.of(new MaxIouAssignerFactory());
    }

    @Override
    public List<BoxCoderFactory<?>> boxCoders() {
        return List.of(new DeltaXywhCoderFactory());
    }

    /** A registry of the built-ins alone, made on first use. */
    public static TaskModules builtIns() {
        return BuiltIns.REGISTRY;
    }

    private static final class BuiltIns {
        static final TaskModules REGISTRY =
                Registry.createFrom(List.of(new DiscoveredPlugin(new BoxToolkitPlugin(), null)));
    }
}
