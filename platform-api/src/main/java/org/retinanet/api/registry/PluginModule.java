package org.retinanet.api.registry;

import com.google.inject.AbstractModule;
import com.google.inject.TypeLiteral;
import com.google.inject.multibindings.MapBinder;
import com.google.inject.name.Names;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.retinanet.api.spi.ComponentFactory;
import org.retinanet.api.spi.Kind;
import org.retinanet.api.spi.RetinanetPlugin;

/**
 * Binds every discovered factory into a {@code MapBinder<String, ComponentFactory<?>>} per kind
 * (annotated with the kind's name). Duplicate ids within a kind fail here, naming both providers,
 * before Guice would report them less helpfully.
 */
public final class PluginModule extends AbstractModule {

    private static final TypeLiteral<ComponentFactory<?>> FACTORY = new TypeLiteral<>() {};

    private final List<DiscoveredPlugin> plugins;

    public PluginModule(List<DiscoveredPlugin> plugins) {
        this.plugins = List.copyOf(plugins);
    }

    @Override
    protected void configure() {
        bind(new TypeLiteral<List<DiscoveredPlugin>>() {}).toInstance(plugins);
        Map<Kind, MapBinder<String, ComponentFactory<?>>> binders = new EnumMap<>(Kind.class);
        for (Kind kind : Kind.values()) {
            binders.put(kind, MapBinder.newMapBinder(binder(), TypeLiteral.get(String.class), FACTORY, Names.named(kind.name())));
        }
        Map<String, DiscoveredPlugin> owners = new HashMap<>();
        for (DiscoveredPlugin discovered : plugins) {
            for (ComponentFactory<?> factory : factoriesOf(discovered.plugin())) {
                String key = factory.kind() + "/" + factory.id();
                DiscoveredPlugin previous = owners.putIfAbsent(key, discovered);
                if (previous != null) {
                    throw new UserException("duplicate " + factory.kind().displayName() + " id '" + factory.id()
                            + "': provided by " + previous.describe() + " and by " + discovered.describe());
                }
                checkId(factory, discovered);
                binders.get(factory.kind()).addBinding(factory.id()).toInstance(factory);
            }
        }
    }

    /** Every factory a plugin contributes, each checked to sit in the method of its own kind. */
    public static List<ComponentFactory<?>> factoriesOf(RetinanetPlugin plugin) {
        List<ComponentFactory<?>> all = new java.util.ArrayList<>();
        all.addAll(plugin.backbones());
        all.addAll(plugin.necks());
        all.addAll(plugin.heads());
        all.addAll(plugin.classificationLosses());
        all.addAll(plugin.boxLosses());
        all.addAll(plugin.datasets());
        all.addAll(plugin.pipelines());
        all.addAll(plugin.evaluators());
        return all;
    }

    private static void checkId(ComponentFactory<?> factory, DiscoveredPlugin owner) {
        if (!factory.id().matches("[a-z][a-z0-9_\\-]*")) {
            throw new UserException("plugin " + owner.describe() + ": " + factory.kind().displayName() + " id '"
                    + factory.id() + "' must be lower-case letters, digits, '_' or '-'");
        }
        if (!factory.kind().configBase().isAssignableFrom(factory.configType())) {
            throw new UserException("plugin " + owner.describe() + ": config type " + factory.configType().getName()
                    + " of " + factory.kind().displayName() + " '" + factory.id() + "' does not implement "
                    + factory.kind().configBase().getSimpleName());
        }
    }
}
