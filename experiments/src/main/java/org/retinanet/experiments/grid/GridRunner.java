package org.retinanet.experiments.grid;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.retinanet.api.registry.Registry;
import org.retinanet.api.registry.UserException;
import org.retinanet.experiments.config.Experiment;
import org.retinanet.experiments.tensorboard.EventFileWriter;
import org.retinanet.experiments.tensorboard.HParamInfo;
import org.retinanet.experiments.tensorboard.MetricInfo;
import org.retinanet.experiments.train.RunManifest;

/**
 * Runs a grid: each cell is a {@code retinanet train} in its own JVM process (DJL's gradient
 * collector is global per process, and a crashed cell must not take the grid down), at most
 * {@code jobs} at once, one GPU each when GPUs exist. Finished cells are skipped on a re-run and
 * unfinished ones resume from their latest checkpoint.
 */
public final class GridRunner {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    public static final List<String> METRICS = List.of("val/AP", "val/AP50", "val/AP75", "val/APs", "val/APm", "val/APl", "train/loss");

    private final GridSpec spec;
    private final Path workDir;
    private final int jobs;
    private final List<Path> pluginDirs;
    private final Registry registry;
    private final int gpus;

    /** A cell with its resolved config and the config values that set it apart from the other cells. */
    public record Plan(GridCell cell, Experiment experiment, Map<String, Object> differences) {}

    /** How a cell ended. */
    public record Outcome(GridCell cell, String status, String detail) {}

    public GridRunner(GridSpec spec, Path workDir, int jobs, List<Path> pluginDirs, Registry registry, int gpus) {
        this.spec = spec;
        this.workDir = workDir;
        this.jobs = Math.max(1, jobs);
        this.pluginDirs = pluginDirs;
        this.registry = registry;
        this.gpus = gpus;
    }

    /** Resolves every cell's config (so a typo fails before anything runs) and their differences. */
    public List<Plan> plan() {
        List<Plan> plans = new ArrayList<>();
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
            plans.add(new Plan(cell, e, null));
            Map<String, Object> flat = new TreeMap<>();
            Flatten.into("", e.resolved().tree(), flat);
            flat.remove("name");
            flats.add(flat);
        }
        Set<String> keys = new LinkedHashSet<>();
        flats.forEach(f -> keys.addAll(f.keySet()));
        List<String> differing = keys.stream().filter(k -> flats.stream().map(f -> String.valueOf(f.get(k))).distinct().count() > 1).toList();
        List<Plan> out = new ArrayList<>();
        for (int i = 0; i < plans.size(); i++) {
            Map<String, Object> diff = new LinkedHashMap<>();
            for (String k : differing) {
                diff.put(k, flats.get(i).get(k));
            }
            out.add(new Plan(plans.get(i).cell(), plans.get(i).experiment(), diff));
        }
        return out;
    }

    public void dryRun(PrintStream out) {
        List<Plan> plans = plan();
        out.println("grid " + spec.name() + ": " + plans.size() + " cells from " + spec.resolvedBase());
        for (Plan p : plans) {
            out.println("  " + p.cell().name() + "  " + p.differences() + "  [" + status(p.cell()) + "]");
        }
    }

    public List<Outcome> run(PrintStream out) throws IOException, InterruptedException {
        List<Plan> plans = plan();
        Files.createDirectories(workDir);
        writeGridIndex(plans);
        writeHparamsExperiment(plans);
        BlockingQueue<Integer> devices = new ArrayBlockingQueue<>(jobs);
        for (int i = 0; i < jobs; i++) {
            devices.add(i);
        }
        ExecutorService pool = Executors.newFixedThreadPool(jobs);
        List<Future<Outcome>> futures = new ArrayList<>();
        for (Plan p : plans) {
            futures.add(pool.submit(() -> {
                int slot = devices.take();
                try {
                    return runCell(p, slot, out);
                } finally {
                    devices.add(slot);
                }
            }));
        }
        pool.shutdown();
        List<Outcome> outcomes = new ArrayList<>();
        for (Future<Outcome> f : futures) {
            try {
                outcomes.add(f.get());
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("grid runner failed", e.getCause());
            }
        }
        pool.awaitTermination(1, TimeUnit.MINUTES);
        return outcomes;
    }

    private Outcome runCell(Plan plan, int slot, PrintStream out) throws IOException, InterruptedException {
        GridCell cell = plan.cell();
        Path dir = workDir.resolve(cell.name());
        String before = status(cell);
        if (before.equals(RunManifest.FINISHED)) {
            log(out, cell, "already finished, skipped");
            return new Outcome(cell, RunManifest.FINISHED, "skipped (finished earlier)");
        }
        Files.createDirectories(dir);
        boolean resume = Files.exists(dir.resolve("checkpoints/latest"));
        List<String> cmd = new ArrayList<>(javaCommand(slot));
        for (Path p : pluginDirs) {
            cmd.add("--plugins");
            cmd.add(p.toAbsolutePath().toString());
        }
        cmd.addAll(List.of("train", "--config", spec.resolvedBase(cell), "--work-dir", dir.toAbsolutePath().toString(),
                "--progress", "lines"));
        if (resume) {
            cmd.add("--resume");
        }
        if (gpus > 0) {
            cmd.add("--device");
            cmd.add("gpu:" + (slot % gpus));
        }
        for (String s : spec.set()) {
            cmd.add("--set");
            cmd.add(s);
        }
        for (String s : cell.overrides()) {
            cmd.add("--set");
            cmd.add(s);
        }
        log(out, cell, (resume ? "resuming" : "starting") + (gpus > 0 ? " on gpu:" + (slot % gpus) : ""));
        long t0 = System.nanoTime();
        ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("train.log").toFile()));
        builder.environment().put("OPT_OUT_TRACKING", "true");
        builder.environment().putIfAbsent("ONEDNN_MAX_CPU_ISA", "AVX");
        builder.environment().putIfAbsent("THP_MEM_ALLOC_ENABLE", "1");
        Process process = builder.start();
        int code = process.waitFor();
        String status = status(cell);
        double minutes = (System.nanoTime() - t0) / 6e10;
        if (code == 0 && status.equals(RunManifest.FINISHED)) {
            String ap = apOf(dir);
            log(out, cell, String.format("finished in %.1f min%s", minutes, ap));
            return new Outcome(cell, RunManifest.FINISHED, ap.trim());
        }
        String error = lastError(dir);
        log(out, cell, "FAILED (exit " + code + "): " + error + " (log: " + dir.resolve("train.log") + ")");
        return new Outcome(cell, RunManifest.FAILED, error);
    }

    private List<String> javaCommand(int slot) {
        String java = ProcessHandle.current().info().command().orElse("java");
        int cores = Runtime.getRuntime().availableProcessors();
        int threads = Math.max(1, cores / jobs);
        List<String> cmd = new ArrayList<>(List.of(java, "-Xms512m",
                "-Xmx" + System.getProperty("retinanet.cell.heap", "4g"), "-XX:+UseParallelGC", "-XX:+AlwaysPreTouch",
                "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=" + threads,
                "-Dai.djl.pytorch.num_interop_threads=1",
                "-cp", System.getProperty("java.class.path"), "org.retinanet.cli.Main"));
        return cmd;
    }

    public String status(GridCell cell) {
        Path manifest = workDir.resolve(cell.name()).resolve("manifest.json");
        if (!Files.exists(manifest)) {
            return "new";
        }
        try {
            return RunManifest.read(manifest.getParent()).path("status").asText("unknown");
        } catch (IOException e) {
            return "unreadable";
        }
    }

    private static String apOf(Path dir) {
        try {
            JsonNode m = JSON.readTree(dir.resolve("metrics.json").toFile());
            return String.format(", AP %.3f", m.at("/metrics/AP").asDouble());
        } catch (IOException e) {
            return "";
        }
    }

    private static String lastError(Path dir) {
        try {
            JsonNode m = RunManifest.read(dir);
            if (m.hasNonNull("error")) {
                return m.get("error").asText();
            }
        } catch (IOException e) {
            // no manifest: the process died before writing one; the log says why
        }
        try {
            List<String> lines = Files.readAllLines(dir.resolve("train.log"));
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (lines.get(i).startsWith("error") || lines.get(i).startsWith("internal error") || lines.get(i).contains("Exception")) {
                    return lines.get(i);
                }
            }
            return lines.isEmpty() ? "no output" : lines.get(lines.size() - 1);
        } catch (IOException e) {
            return "no log";
        }
    }

    private static synchronized void log(PrintStream out, GridCell cell, String message) {
        out.println("[" + cell.name() + "] " + message);
        out.flush();
    }

    /** {@code grid.json}: the cells, their groups and differences; what the report reads. */
    private void writeGridIndex(List<Plan> plans) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("name", spec.name());
        root.put("base", spec.resolvedBase());
        root.put("reference", spec.reference() != null ? spec.reference() : plans.get(0).cell().group());
        if (spec.paper() != null) {
            root.put("paper", spec.paper());
        }
        ArrayNode cells = root.putArray("cells");
        for (Plan p : plans) {
            ObjectNode c = cells.addObject();
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
        Files.move(tmp, workDir.resolve("grid.json"), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** The HParams experiment summary at the grid root: the differing config values and the metrics. */
    private void writeHparamsExperiment(List<Plan> plans) throws IOException {
        try (var files = Files.list(workDir)) {
            if (files.anyMatch(f -> f.getFileName().toString().contains("tfevents"))) {
                return;
            }
        }
        Map<String, Set<Object>> domains = new LinkedHashMap<>();
        for (Plan p : plans) {
            p.differences().forEach((k, v) -> domains.computeIfAbsent(k, x -> new LinkedHashSet<>()).add(v));
        }
        if (plans.stream().anyMatch(p -> p.cell().seed() != null)) {
            domains.remove("seed");
            domains.put("seed", new LinkedHashSet<>(plans.stream().map(p -> (Object) (double) (long) p.experiment().config().seed()).toList()));
        }
        List<HParamInfo> infos = new ArrayList<>();
        domains.forEach((k, values) -> {
            // a cell without the key has no value there; a domain must have one type
            List<Object> domain = new ArrayList<>(values.stream().filter(java.util.Objects::nonNull).toList());
            if (domain.stream().map(Object::getClass).distinct().count() > 1) {
                domain = new ArrayList<>(domain.stream().map(String::valueOf).distinct().toList());
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
