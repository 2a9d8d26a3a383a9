package org.retinanet.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.retinanet.api.registry.DiscoveredPlugin;
import org.retinanet.api.registry.Registry;
import org.retinanet.api.spi.ComponentFactory;
import org.retinanet.api.spi.Kind;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code retinanet plugins}: every registered id per kind, with its jar and config fields. */
@Command(
        name = "plugins",
        mixinStandardHelpOptions = true,
        description = "List every registered component id per kind, with its plugin jar and config fields.")
final class PluginsCommand implements Callable<Integer> {

    @ParentCommand
    RootCommand root;

    @Option(names = "--json", description = "Machine-readable output.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Registry registry = root.registry();
        Map<String, List<Map<String, Object>>> byKind = new LinkedHashMap<>();
        for (Kind kind : Kind.values()) {
            List<Map<String, Object>> entries = new ArrayList<>();
            for (ComponentFactory<?> f : registry.factories(kind)) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("id", f.id());
                e.put("description", f.description());
                DiscoveredPlugin owner = registry.owner(kind, f.id());
                e.put("plugin", owner == null ? null : owner.plugin().getClass().getName());
                e.put(
                        "jar",
                        owner == null || owner.source() == null
                                ? null
                                : owner.source().toString());
                e.put("config", f.configType().getName());
                e.put("fields", fields(f.configType()));
                entries.add(e);
            }
            byKind.put(kind.name().toLowerCase(), entries);
        }
        if (json) {
            System.out.println(new ObjectMapper()
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(byKind));
            return 0;
        }
        byKind.forEach((kind, entries) -> {
            System.out.println(kind.replace('_', ' ') + ":");
            if (entries.isEmpty()) {
                System.out.println("  (none)");
            }
            for (Map<String, Object> e : entries) {
                System.out.printf("  %-14s %s%n", e.get("id"), e.get("description"));
                System.out.printf(
                        "  %-14s fields: %s%n",
                        "",
                        String.join(
                                ", ",
                                ((Map<?, ?>) e.get("fields"))
                                        .keySet().stream().map(Object::toString).toList()));
                System.out.printf("  %-14s from: %s%n", "", e.get("jar"));
            }
        });
        return 0;
    }

    /** Config fields and their types, in declaration order (records only). */
    static Map<String, String> fields(Class<?> configType) {
        Map<String, String> out = new LinkedHashMap<>();
        if (configType.isRecord()) {
            for (RecordComponent c : configType.getRecordComponents()) {
                out.put(c.getName(), c.getGenericType().getTypeName().replaceAll("[a-z0-9_]+\\.", ""));
            }
        }
        return out;
    }
}
