package org.retinanet.api.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.retinanet.api.registry.Registry;
import org.retinanet.api.registry.UserException;
import org.retinanet.api.spi.Kind;

/**
 * YAML experiment configs with inheritance, in mmengine's spirit.
 *
 * <ul>
 *   <li>{@code base:} names one file or preset, or a list of them; later ones override earlier
 *       ones and the file's own keys override all. A name ending in {@code .yaml}/{@code .yml}
 *       is a file relative to the including file; any other name is a preset (class-path
 *       resource {@code presets/<name>.yaml}).
 *   <li>Dicts merge key by key; lists and scalars replace. A dict whose {@code type} differs from
 *       the one it overrides replaces it whole (switching {@code focal} to {@code ce} must not
 *       keep {@code gamma}); {@code _delete_: true} in a dict forces replacement as well.
 *   <li>{@code --set a.b.c=value} overrides last; the value is parsed as YAML
 *       ({@code 0.01}, {@code [8, 11]}, {@code true}, {@code {type: ce}}).
 * </ul>
 */
public final class ConfigLoader {

    public static final String PRESET_DIR = "presets/";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ConfigLoader() {}

    /** A resolved config tree and the file it came from (null for a preset given by name). */
    public record Resolved(ObjectNode tree, String origin) {

        /** Binds the tree to {@code type}, turning Jackson's errors into one-line messages naming the origin. */
        public <T> T bind(Registry registry, Class<T> type) {
            try {
                return registry.mapper().treeToValue(tree, type);
            } catch (UnrecognizedPropertyException e) {
                String known = e.getKnownPropertyIds() == null
                        ? ""
                        : "; known keys: "
                                + e.getKnownPropertyIds().stream()
                                        .map(Object::toString)
                                        .sorted()
                                        .collect(Collectors.joining(", "));
                throw new UserException(
                        "config " + origin + ": unknown key '" + e.getPropertyName() + "' at " + pathOf(e) + known);
            } catch (InvalidTypeIdException e) {
                Kind kind = kindOf(e.getBaseType().getRawClass());
                String path = pathOf(e);
                if (e.getTypeId() == null) {
                    throw new UserException("config " + origin + ": " + path + " needs a 'type'"
                            + (kind == null ? "" : "; known: " + registry.knownIds(kind)));
                }
                String what = kind == null ? "type" : kind.displayName();
                throw new UserException("config " + origin + ": unknown " + what + " '" + e.getTypeId() + "' at " + path
                        + (kind == null ? "" : ", known: " + registry.knownIds(kind)));
            } catch (JsonMappingException e) {
                Throwable root = e;
                while (root.getCause() != null) {
                    root = root.getCause();
                }
                String msg = root instanceof IllegalArgumentException ? root.getMessage() : e.getOriginalMessage();
                throw new UserException("config " + origin + ": " + pathOf(e) + ": " + firstLine(msg));
            } catch (JsonProcessingException e) {
                throw new UserException("config " + origin + ": " + firstLine(e.getOriginalMessage()));
            }
        }
    }

    /** Loads {@code file} with its bases and applies {@code overrides} ({@code a.b=value}). */
    public static Resolved load(Path file, List<String> overrides) {
        ObjectNode tree = loadFile(file.toAbsolutePath().normalize(), new ArrayDeque<>());
        applyOverrides(tree, overrides, file.toString());
        return new Resolved(tree, file.toString());
    }

    /** Loads a preset by name with its bases, then applies {@code overrides}. */
    public static Resolved loadPreset(String name, List<String> overrides) {
        ObjectNode tree = loadPreset(name, new ArrayDeque<>());
        applyOverrides(tree, overrides, "preset " + name);
        return new Resolved(tree, "preset " + name);
    }

    /** Whether {@code name} is a preset on the class path. */
    public static boolean presetExists(String name) {
        return classLoader().getResource(PRESET_DIR + name + ".yaml") != null;
    }

    private static ObjectNode loadFile(Path file, Deque<String> chain) {
        String key = file.toString();
        checkCycle(key, chain);
        JsonNode node;
        try (InputStream in = Files.newInputStream(file)) {
            node = YAML.readTree(in);
        } catch (NoSuchFileException e) {
            throw new UserException("config " + file + ": file not found"
                    + (chain.isEmpty() ? "" : " (named in base: of " + chain.peekLast() + ")"));
        } catch (JsonProcessingException e) {
            throw new UserException("config " + file + ": " + describe(e));
        } catch (IOException e) {
            throw new UserException("config " + file + ": cannot read: " + e.getMessage());
        }
        return resolveBases(node, key, file.getParent(), chain);
    }

    private static ObjectNode loadPreset(String name, Deque<String> chain) {
        String key = "preset " + name;
        checkCycle(key, chain);
        JsonNode node;
        try (InputStream in = classLoader().getResourceAsStream(PRESET_DIR + name + ".yaml")) {
            if (in == null) {
                throw new UserException("unknown preset '" + name + "'"
                        + (chain.isEmpty() ? "" : " (named in base: of " + chain.peekLast() + ")")
                        + "; presets are listed by `retinanet inspect --presets`");
            }
            node = YAML.readTree(in);
        } catch (JsonProcessingException e) {
            throw new UserException("preset " + name + ": " + describe(e));
        } catch (IOException e) {
            throw new UserException("preset " + name + ": cannot read: " + e.getMessage());
        }
        return resolveBases(node, key, null, chain);
    }

    private static ObjectNode resolveBases(JsonNode node, String key, Path dir, Deque<String> chain) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return JsonNodeFactory.instance.objectNode();
        }
        if (!node.isObject()) {
            throw new UserException("config " + key + ": the top level must be a mapping of keys to values");
        }
        ObjectNode own = (ObjectNode) node;
        JsonNode bases = own.remove("base");
        chain.addLast(key);
        ObjectNode merged = JsonNodeFactory.instance.objectNode();
        for (String base : baseNames(bases, key)) {
            ObjectNode b = isFileName(base) ? loadFile(resolve(dir, base), chain) : loadPreset(base, chain);
            merge(merged, b);
        }
        chain.removeLast();
        merge(merged, own);
        return merged;
    }

    private static List<String> baseNames(JsonNode bases, String key) {
        List<String> names = new ArrayList<>();
        if (bases == null || bases.isNull()) {
            return names;
        }
        if (bases.isTextual()) {
            names.add(bases.asText());
        } else if (bases.isArray()) {
            for (JsonNode b : bases) {
                if (!b.isTextual()) {
                    throw new UserException("config " + key + ": base: entries must be file or preset names");
                }
                names.add(b.asText());
            }
        } else {
            throw new UserException("config " + key + ": base: must be a name or a list of names");
        }
        return names;
    }

    private static boolean isFileName(String base) {
        return base.endsWith(".yaml") || base.endsWith(".yml") || base.contains("/");
    }

    private static Path resolve(Path dir, String base) {
        Path p = Path.of(base);
        return (p.isAbsolute() || dir == null ? p : dir.resolve(p))
                .toAbsolutePath()
                .normalize();
    }

    private static void checkCycle(String key, Deque<String> chain) {
        if (chain.contains(key)) {
            throw new UserException(
                    "config " + chain.peekLast() + ": base: cycle " + String.join(" -> ", chain) + " -> " + key);
        }
    }

    /** Deep-merges {@code src} into {@code dst} with the rules in the class comment. */
    public static void merge(ObjectNode dst, ObjectNode src) {
        Iterator<Map.Entry<String, JsonNode>> it = src.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode old = dst.get(e.getKey());
            JsonNode value = e.getValue();
            if (value.isObject()
                    && old != null
                    && old.isObject()
                    && !replacesWhole((ObjectNode) old, (ObjectNode) value)) {
                merge((ObjectNode) old, (ObjectNode) value);
            } else {
                JsonNode copy = value.deepCopy();
                if (copy.isObject()) {
                    ((ObjectNode) copy).remove("_delete_");
                }
                dst.set(e.getKey(), copy);
            }
        }
    }

    private static boolean replacesWhole(ObjectNode old, ObjectNode value) {
        if (value.path("_delete_").asBoolean(false)) {
            return true;
        }
        JsonNode oldType = old.get("type");
        JsonNode newType = value.get("type");
        return oldType != null && newType != null && !oldType.equals(newType);
    }

    /** Applies {@code a.b.c=value} overrides, the value parsed as YAML. */
    public static void applyOverrides(ObjectNode tree, List<String> overrides, String origin) {
        for (String override : overrides) {
            int eq = override.indexOf('=');
            if (eq <= 0) {
                throw new UserException("--set " + override + ": expected key.path=value");
            }
            String path = override.substring(0, eq).trim();
            JsonNode value;
            try {
                String text = override.substring(eq + 1);
                value = text.isEmpty() ? JsonNodeFactory.instance.textNode("") : YAML.readTree(text);
                if (value == null || value.isMissingNode()) {
                    value = JsonNodeFactory.instance.nullNode();
                }
            } catch (JsonProcessingException e) {
                throw new UserException(
                        "--set " + override + ": value is not valid YAML: " + firstLine(e.getOriginalMessage()));
            }
            String[] keys = path.split("\\.");
            ObjectNode parent = tree;
            for (int i = 0; i < keys.length - 1; i++) {
                JsonNode child = parent.get(keys[i]);
                if (child == null || child.isNull()) {
                    child = parent.putObject(keys[i]);
                } else if (!child.isObject()) {
                    throw new UserException("--set " + path + ": "
                            + String.join(".", java.util.Arrays.copyOf(keys, i + 1)) + " is a "
                            + child.getNodeType().toString().toLowerCase() + " in " + origin + ", not a mapping");
                }
                parent = (ObjectNode) child;
            }
            String last = keys[keys.length - 1];
            JsonNode old = parent.get(last);
            if (value.isObject()
                    && old != null
                    && old.isObject()
                    && !replacesWhole((ObjectNode) old, (ObjectNode) value)) {
                merge((ObjectNode) old, (ObjectNode) value);
            } else if (value.isObject() && old != null && old.isObject()) {
                parent.set(last, value);
            } else if (last.equals("type") && old != null && !old.equals(value)) {
                // switching a component's type drops the old type's options
                parent.removeAll();
                parent.set("type", value);
            } else {
                parent.set(last, value);
            }
        }
    }

    /** Reads a path like {@code model.backbone.depth}; missing nodes yield a missing node. */
    public static JsonNode at(JsonNode tree, String dotted) {
        JsonNode n = tree;
        for (String k : dotted.split("\\.")) {
            n = n.path(k);
        }
        return n;
    }

    public static ArrayNode arrayOf(List<?> values) {
        return YAML.valueToTree(values);
    }

    public static String toYaml(JsonNode tree) {
        try {
            return new ObjectMapper(new YAMLFactory()
                            .disable(com.fasterxml.jackson.dataformat.yaml.YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                            .enable(com.fasterxml.jackson.dataformat.yaml.YAMLGenerator.Feature.MINIMIZE_QUOTES))
                    .writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String pathOf(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.length() == 0 ? "(top level)" : sb.toString();
    }

    private static Kind kindOf(Class<?> base) {
        for (Kind k : Kind.values()) {
            if (k.configBase().equals(base)) {
                return k;
            }
        }
        return null;
    }

    private static String describe(JsonProcessingException e) {
        JsonLocation loc = e.getLocation();
        String where = loc == null ? "" : "line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ": ";
        return "invalid YAML: " + where + firstLine(e.getOriginalMessage());
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static ClassLoader classLoader() {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        return cl != null ? cl : ConfigLoader.class.getClassLoader();
    }
}
