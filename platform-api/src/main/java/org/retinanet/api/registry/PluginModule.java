package org.retinanet.api.registry;

import com.google.inject.AbstractModule;
import com.google.inject.TypeLiteral;
import com.google.inject.multibindings.MapBinder;
import com.google.inject.name.Names;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.retinanet.api.spi.ComponentFactory;
import org.retinanet.api.spi.Kind;
import org.retinanet.api.spi.RetinanetPlugin;

/**
 * Binds every discovered factory into a {@code MapBinder<String, ComponentFactory<?>>} per kind
 * (annotated with the kind's name). The factories are checked when the module is constructed,
 * before Guice runs: duplicate ids within a kind, ids, and config types are bad plugins (one
 * line naming the jars), and Guice would log an exception thrown from {@link #configure()} to
 * stderr before rethrowing it.
 */
public final class PluginModule extends AbstractModule {

    private static final TypeLiteral<ComponentFactory<?>> FACTORY = new TypeLiteral<>() {};

    private final List<DiscoveredPlugin> plugins;
    private final List<ComponentFactory<?>> factories;

    public PluginModule(List<DiscoveredPlugin> plugins) {
        this.plugins = List.copyOf(plugins);
        this.factories = checkedFactories(this.plugins);
    }

    @Override
    protected void configure() {
        bind(new TypeLiteral<List<DiscoveredPlugin>>() {}).toInstance(plugins);
        Map<Kind, MapBinder<String, ComponentFactory<?>>> binders = new EnumMap<>(Kind.class);
        for (Kind kind : Kind.values()) {
            binders.put(
                    kind,
                    MapBinder.newMapBinder(binder(), TypeLiteral.get(String.class), FACTORY, Names.named(kind.name())));
        }
        for (ComponentFactory<?> factory : factories) {
            binders.get(factory.kind()).addBinding(factory.id()).toInstance(factory);
        }
    }

    /** Every plugin's factories in discovery order; fails on the first bad or clashing one. */
    private static List<ComponentFactory<?>> checkedFactories(List<DiscoveredPlugin> plugins) {
        List<ComponentFactory<?>> all = new ArrayList<>();
        Map<String, DiscoveredPlugin> idOwners = new HashMap<>();
        Map<Class<?>, ComponentFactory<?>> configOwners = new HashMap<>();
        for (DiscoveredPlugin discovered : plugins) {
            for (ComponentFactory<?> factory : factoriesOf(discovered.plugin())) {
                DiscoveredPlugin previous = idOwners.putIfAbsent(factory.kind() + "/" + factory.id(), discovered);
                if (previous != null) {
                    throw new UserException("duplicate " + factory.kind().displayName() + " id '" + factory.id()
                            + "': provided by " + previous.describe() + " and by " + discovered.describe());
                }
                checkId(factory, discovered);
                ComponentFactory<?> clash = configOwners.putIfAbsent(factory.configType(), factory);
                if (clash != null) {
                    throw new UserException(
                            "config type " + factory.configType().getName() + " is used by both "
                                    + clash.kind().displayName() + " '" + clash.id() + "' and "
                                    + factory.kind().displayName()
                                    + " '" + factory.id() + "': each factory needs its own config record");
                }
                all.add(factory);
            }
        }
        return List.copyOf(all);
    }

    /** Every factory a plugin contributes, each checked to sit in the method of its own kind. */
    public static List<ComponentFactory<?>> factoriesOf(RetinanetPlugin plugin) {
        List<ComponentFactory<?>> all = new ArrayList<>();
        all.addAll(plugin.backbones());
        all.addAll(plugin.necks());
        all.addAll(plugin.heads());
        all.addAll(plugin.classificationLosses());
        all.addAll(plugin.boxLosses());
        all.addAll(plugin.datasets());
        all.addAll(plugin.pipelines());
        all.addAll(plugin.evaluators());
        all.addAll(plugin.hooks());
        all.addAll(plugin.priorGenerators());
        all.addAll(plugin.assigners());
        all.addAll(plugin.boxCoders());
        return all;
    }

    private static void checkId(ComponentFactory<?> factory, DiscoveredPlugin owner) {
        if (!factory.id().matches("[a-z][a-z0-9_\\-]*")) {
            throw new UserException(
                    "plugin " + owner.describe() + ": " + factory.kind().displayName() + " id '" + factory.id()
                            + "' must be lower-case letters, digits, '_' or '-'");
        }
        if (!factory.kind().configBase().isAssignableFrom(factory.configType())) {
            throw new UserException("plugin " + owner.describe() + ": config type "
                    + factory.configType().getName()
                    + " of " + factory.kind().displayName() + " '" + factory.id() + "' does not implement "
                    + factory.kind().configBase().getSimpleName());
        }
    }
}
