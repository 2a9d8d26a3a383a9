package org.retinanet.experiments.grid;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.retinanet.api.registry.Registry;
import org.retinanet.api.registry.UserException;
import org.retinanet.experiments.config.Experiment;
import org.retinanet.experiments.run.RunDirectory;
import org.retinanet.experiments.tensorboard.EventFileWriter;
import org.retinanet.experiments.tensorboard.HParamInfo;
import org.retinanet.experiments.tensorboard.MetricInfo;

/**
 * A grid planned once, whatever executes it: every cell's resolved config (so a typo fails before
 * anything runs), what sets each cell apart, the work directory's index files, and the one
 * {@code retinanet train --resume} command line that runs a cell, locally or on a cluster node.
 */
public final class GridPlan {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    public static final List<String> METRICS =
            List.of("val/AP", "val/AP50", "val/AP75", "val/APs", "val/APm", "val/APl", "train/loss");

    /** A cell with its resolved config and the config values that set it apart from the other cells. */
    public record Cell(GridCell cell, Experiment experiment, Map<String, Object> differences) {

        public String name() {
            return cell.name();
        }
    }

    private final GridSpec spec;
    private final List<Cell> cells;

    private GridPlan(GridSpec spec, List<Cell> cells) {
        this.spec = spec;
        this.cells = cells;
    }

    public static GridPlan resolve(GridSpec spec, Registry registry) {
        List<Experiment> experiments = new ArrayList<>();
        List<Map<String, Object>> flats = new ArrayList<>();
        for (GridCell cell : spec.cells()) {
            List<String> overrides = new ArrayList<>(spec.set());
            overrides.addAll(cell.overrides());
            Experiment e;
            try {
                e = Experiment.load(spec.resolvedBase(cell), overrides, registry);
            } catch (UserException ex) {
                throw new UserException("grid " + spec.name() + ", cell " + cell.name() + ": " + ex.getMessage(), ex);
            }
            experiments.add(e);
            Map<String, Object> flat = new TreeMap<>();
            Flatten.into("", e.resolved().tree(), flat);
            flat.remove("name");
            flats.add(flat);
        }
        Set<String> keys = new LinkedHashSet<>();
        flats.forEach(f -> keys.addAll(f.keySet()));
        List<String> differing = keys.stream()
                .filter(k -> flats.stream()
                                .map(f -> String.valueOf(f.get(k)))
                                .distinct()
                                .count()
                        > 1)
                .toList();
        List<Cell> out = new ArrayList<>();
        List<GridCell> gridCells = spec.cells();
        for (int i = 0; i < gridCells.size(); i++) {
            Map<String, Object> diff = new LinkedHashMap<>();
            for (String k : differing) {
                diff.put(k, flats.get(i).get(k));
            }
            out.add(new Cell(gridCells.get(i), experiments.get(i), diff));
        }
        return new GridPlan(spec, List.copyOf(out));
    }

    public GridSpec spec() {
        return spec;
    }

    public List<Cell> cells() {
        return cells;
    }

    /** The run directory of a cell in a grid work directory. */
    public static RunDirectory runDirectory(Path workDir, Cell cell) {
        return new RunDirectory(workDir.resolve(cell.name()));
    }

    /**
     * The {@code retinanet} arguments that run a cell in {@code cellDir}. Always {@code --resume}: a
     * cell continues from its latest checkpoint wherever it runs next, and starts when it has none.
     */
    public List<String> trainArguments(Cell cell, Path cellDir, List<Path> pluginDirs) {
        List<String> args = new ArrayList<>();
        for (Path p : pluginDirs) {
            args.add("--plugins");
            args.add(p.toAbsolutePath().toString());
        }
        args.addAll(List.of(
                "train",
                "--config",
                spec.resolvedBase(cell.cell()),
                "--work-dir",
                cellDir.toAbsolutePath().toString(),
                "--progress",
                "lines",
                "--resume"));
        for (String s : spec.set()) {
            args.add("--set");
            args.add(s);
        }
        for (String s : cell.cell().overrides()) {
            args.add("--set");
            args.add(s);
        }
        return args;
    }

    /**
     * The JVM that runs a cell: the one running this command, with the launcher's memory settings,
     * {@code threads} intra-op threads and one inter-op thread.
     */
    public static List<String> javaCommand(String threads) {
        String java = ProcessHandle.current().info().command().orElse("java");
        return List.of(
                java,
                "-Xms512m",
                "-Xmx" + System.getProperty("retinanet.cell.heap", "4g"),
                "-XX:+UseParallelGC",
                "-XX:+AlwaysPreTouch",
                "-Dai.djl.offline=true",
                "-Dai.djl.pytorch.num_threads=" + threads,
                "-Dai.djl.pytorch.num_interop_threads=1",
                "-cp",
                System.getProperty("java.class.path"),
                "org.retinanet.cli.Main");
    }

    /** Writes the work directory's index ({@code grid.json}) and TensorBoard's HParams experiment. */
    public void writeIndex(Path workDir) throws IOException {
        Files.createDirectories(workDir);
        writeGridJson(workDir);
        writeHparamsExperiment(workDir);
    }

    /** {@code grid.json}: the cells, their groups and differences; what the report and status read. */
    private void writeGridJson(Path workDir) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("name", spec.name());
        root.put("base", spec.resolvedBase());
        root.put(
                "reference",
                spec.reference() != null
                        ? spec.reference()
                        : cells.get(0).cell().group());
        if (spec.paper() != null) {
            root.put("paper", spec.paper());
        }
        ArrayNode array = root.putArray("cells");
        for (Cell p : cells) {
            ObjectNode c = array.addObject();
            c.put("name", p.cell().name());
            c.put("group", p.cell().group());
            if (p.cell().seed() != null) {
                c.put("seed", p.cell().seed());
            }
            c.set("differences", JSON.valueToTree(p.differences()));
            c.set("values", JSON.valueToTree(p.cell().values()));
        }
        Path tmp = workDir.resolve(".grid.json.tmp");
        Files.write(tmp, JSON.writeValueAsBytes(root));
        Files.move(
                tmp, workDir.resolve("grid.json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The HParams experiment summary at the grid root: the differing config values and the metrics. */
    private void writeHparamsExperiment(Path workDir) throws IOException {
        try (var files = Files.list(workDir)) {
            if (files.anyMatch(f -> f.getFileName().toString().contains("tfevents"))) {
                return;
            }
        }
        Map<String, Set<Object>> domains = new LinkedHashMap<>();
        for (Cell p : cells) {
            p.differences()
                    .forEach((k, v) -> domains.computeIfAbsent(k, x -> new LinkedHashSet<>())
                            .add(v));
        }
        if (cells.stream().anyMatch(p -> p.cell().seed() != null)) {
            domains.remove("seed");
            domains.put(
                    "seed",
                    new LinkedHashSet<>(cells.stream()
                            .map(p -> (Object)
                                    (double) (long) p.experiment().config().seed())
                            .toList()));
        }
        List<HParamInfo> infos = new ArrayList<>();
        domains.forEach((k, values) -> {
            // a cell without the key has no value there; a domain must have one type
            List<Object> domain =
                    new ArrayList<>(values.stream().filter(Objects::nonNull).toList());
            if (domain.stream().map(Object::getClass).distinct().count() > 1) {
                domain = new ArrayList<>(
                        domain.stream().map(String::valueOf).distinct().toList());
            }
            if (!domain.isEmpty()) {
                infos.add(HParamInfo.discrete(k, domain));
            }
        });
        List<MetricInfo> metrics = METRICS.stream().map(MetricInfo::of).toList();
        try (EventFileWriter writer = new EventFileWriter(workDir)) {
            writer.hparamsExperiment(infos, metrics);
        }
    }
}
