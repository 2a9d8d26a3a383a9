package org.retinanet.experiments.grid;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.retinanet.api.registry.UserException;

/**
 * A grid file: a base config and axes to sweep.
 *
 * <pre>
 * base: retinanet_r18_fpn_shapes        # config file (relative to the grid file) or preset
 * set: [train.epochs=4]                 # overrides for every cell
 * axes:                                 # dotted path -> values; cells are the cartesian product
 *   model.lossCls: [{type: focal}, {type: ce}]
 * zip:                                  # groups of axes that move together (equal lengths)
 *   - {model.lossCls.gamma: [0, 2], model.lossCls.alpha: [0.75, 0.25]}
 * seeds: [0, 1, 2]                      # each cell once per seed
 * reference: lossCls=focal              # cell the report's t-tests compare against (default: first)
 * paper: table1a                        # published table the report puts beside ours (optional)
 * executor: {type: slurm, partition: gpu, gpusPerTask: 1}   # where cells run (see ExecutorSettings)
 * </pre>
 */
public record GridSpec(
        String name,
        String base,
        Path baseDir,
        List<String> set,
        List<List<Axis>> dimensions,
        List<Long> seeds,
        String reference,
        String paper,
        ExecutorSettings executor) {

    /** One swept config path and its values (YAML nodes). */
    public record Axis(String path, List<JsonNode> values) {}

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    public static GridSpec read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            String name = file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
            return parse(YAML.readTree(in), name, file.toAbsolutePath().getParent(), file.toString());
        } catch (java.nio.file.NoSuchFileException e) {
            throw new UserException("grid " + file + ": file not found");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            var loc = e.getLocation();
            throw new UserException("grid " + file + ": invalid YAML"
                    + (loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr()) + ": "
                    + e.getOriginalMessage().lines().findFirst().orElse(""));
        } catch (IOException e) {
            throw new UserException("grid " + file + ": cannot read: " + e.getMessage());
        }
    }

    /** Reads a built-in grid ({@code grids/<name>.yaml} on the class path). */
    public static GridSpec builtin(String name) {
        try (InputStream in = GridSpec.class.getClassLoader().getResourceAsStream("grids/" + name + ".yaml")) {
            if (in == null) {
                throw new UserException("unknown built-in grid '" + name + "'");
            }
            return parse(YAML.readTree(in), name, null, "grid " + name);
        } catch (IOException e) {
            throw new UserException("grid " + name + ": " + e.getMessage());
        }
    }

    static GridSpec parse(JsonNode root, String defaultName, Path baseDir, String origin) {
        if (root == null || !root.isObject()) {
            throw new UserException(origin + ": a grid file is a mapping with base:, axes:, zip:, seeds:");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!List.of("name", "base", "set", "axes", "zip", "seeds", "reference", "paper", "executor")
                    .contains(k)) {
                throw new UserException(origin + ": unknown key '" + k
                        + "'; known keys: axes, base, executor, name, paper, reference, seeds, set, zip");
            }
        }
        if (!root.path("base").isTextual()) {
            throw new UserException(origin + ": base: must name a config file or preset");
        }
        List<String> set = new ArrayList<>();
        root.path("set").forEach(n -> set.add(n.asText()));
        List<List<Axis>> dims = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : fields(root.path("axes"))) {
            dims.add(List.of(axis(e.getKey(), e.getValue(), origin)));
        }
        for (JsonNode group : root.path("zip")) {
            List<Axis> zipped = new ArrayList<>();
            for (Map.Entry<String, JsonNode> e : fields(group)) {
                zipped.add(axis(e.getKey(), e.getValue(), origin));
            }
            if (zipped.isEmpty()) {
                continue;
            }
            int n = zipped.get(0).values().size();
            for (Axis a : zipped) {
                if (a.values().size() != n) {
                    throw new UserException(origin + ": zip axes must have equal lengths: "
                            + zipped.get(0).path() + " has " + n + " values, " + a.path() + " has "
                            + a.values().size());
                }
            }
            dims.add(zipped);
        }
        List<Long> seeds = new ArrayList<>();
        root.path("seeds").forEach(n -> seeds.add(n.asLong()));
        return new GridSpec(
                root.path("name").asText(defaultName),
                root.get("base").asText(),
                baseDir,
                set,
                dims,
                seeds,
                root.path("reference").asText(null),
                root.path("paper").asText(null),
                ExecutorSettings.parse(root.get("executor"), origin));
    }

    private static Axis axis(String path, JsonNode values, String origin) {
        if (!values.isArray() || values.isEmpty()) {
            throw new UserException(origin + ": axis " + path + " needs a non-empty list of values");
        }
        List<JsonNode> list = new ArrayList<>();
        values.forEach(list::add);
        return new Axis(path, list);
    }

    private static List<Map.Entry<String, JsonNode>> fields(JsonNode node) {
        List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
        node.fields().forEachRemaining(out::add);
        return out;
    }

    /** The cells: cartesian product of the dimensions, then seeds. */
    public List<GridCell> cells() {
        List<Map<String, JsonNode>> combos = new ArrayList<>();
        combos.add(new LinkedHashMap<>());
        for (List<Axis> dim : dimensions) {
            List<Map<String, JsonNode>> next = new ArrayList<>();
            int n = dim.get(0).values().size();
            for (Map<String, JsonNode> combo : combos) {
                for (int i = 0; i < n; i++) {
                    Map<String, JsonNode> c = new LinkedHashMap<>(combo);
                    for (Axis a : dim) {
                        c.put(a.path(), a.values().get(i));
                    }
                    next.add(c);
                }
            }
            combos = next;
        }
        List<GridCell> cells = new ArrayList<>();
        List<Long> seedList = seeds.isEmpty() ? java.util.Collections.singletonList((Long) null) : seeds;
        for (Map<String, JsonNode> combo : combos) {
            String group = GridCell.nameOf(combo);
            for (Long seed : seedList) {
                cells.add(new GridCell(seed == null ? group : group + "__seed" + seed, group, combo, seed));
            }
        }
        return cells;
    }

    /** The grid's base as given to {@code train --config}: an absolute file path, or the preset name. */
    public String resolvedBase() {
        return resolve(base);
    }

    /** A cell's base config, resolved like {@link #resolvedBase()}. */
    public String resolvedBase(GridCell cell) {
        return resolve(cell.base(base));
    }

    private String resolve(String base) {
        if (baseDir != null) {
            Path p = baseDir.resolve(base);
            if (Files.exists(p)) {
                return p.toString();
            }
        }
        return base;
    }
}
