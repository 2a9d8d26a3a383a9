package org.retinanet.experiments.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.math3.stat.descriptive.SummaryStatistics;
import org.retinanet.api.registry.UserException;
import org.retinanet.experiments.run.RunDirectory;
import org.retinanet.experiments.tensorboard.EventFileReader;

/**
 * {@code report.md} and {@code results.csv} for a grid's work directory: one row per cell group
 * (mean +- std over seeds, Welch t-test against the reference group), the published number where
 * the cell corresponds to a published row, and two plots.
 */
public final class ReportBuilder {

    static final List<String> METRICS = List.of("AP", "AP50", "AP75", "APs", "APm", "APl");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final Path workDir;
    private final PublishedResults published = new PublishedResults();

    private Map<String, String> notes = Map.of();

    public ReportBuilder(Path workDir) {
        this.workDir = workDir;
    }

    /** Why cells did not finish, where more is known than their run directories say (a Slurm task's state). */
    public ReportBuilder withReasons(Map<String, String> reasons) {
        this.notes = Map.copyOf(reasons);
        return this;
    }

    /** A group of cells that differ only in seed. */
    public record Group(String name, List<CellResult> cells, Map<String, Object> differences) {

        List<Double> values(String metric) {
            return cells.stream()
                    .filter(CellResult::finished)
                    .map(c -> c.metrics().get(metric))
                    .filter(v -> v != null && v >= 0)
                    .toList();
        }
    }

    /** Writes the report; returns the path of report.md. */
    public Path write() throws IOException {
        JsonNode grid = Files.exists(workDir.resolve("grid.json"))
                ? JSON.readTree(workDir.resolve("grid.json").toFile())
                : null;
        List<CellResult> cells = readCells(grid);
        if (cells.isEmpty()) {
            throw new UserException("report: no runs in " + workDir
                    + " (expected sub-directories with manifest.json, as grid/train write)");
        }
        List<Group> groups = group(cells, grid);
        String reference = grid != null
                ? grid.path("reference").asText(groups.get(0).name())
                : groups.get(0).name();
        Group ref = groups.stream()
                .filter(g -> g.name().equals(reference))
                .findFirst()
                .orElse(groups.get(0));
        String paper = grid == null ? null : grid.path("paper").asText(null);

        StringBuilder md = new StringBuilder();
        StringBuilder csv = new StringBuilder("group,cell,seed,status");
        List<String> diffKeys = new ArrayList<>();
        groups.forEach(g -> g.differences().keySet().forEach(k -> {
            if (!diffKeys.contains(k)) {
                diffKeys.add(k);
            }
        }));
        diffKeys.forEach(k -> csv.append(',').append(k));
        METRICS.forEach(m -> csv.append(',').append(m));
        csv.append(",train_seconds,published_AP,published_source\n");

        String name = grid != null
                ? grid.path("name").asText(workDir.getFileName().toString())
                : workDir.getFileName().toString();
        md.append("# Report: ").append(name).append("\n\n");
        md.append("Work directory: `").append(workDir.toAbsolutePath()).append("`. ");
        md.append(cells.size())
                .append(" runs in ")
                .append(groups.size())
                .append(" cells; reference cell for the t-tests: `")
                .append(ref.name())
                .append("`.\n\n");
        String datasets = String.join(
                ", ",
                cells.stream()
                        .map(c -> String.valueOf(c.meta("dataset")))
                        .distinct()
                        .toList());
        md.append("Evaluation dataset: ").append(datasets).append(". ");
        boolean anyPublished = cells.stream().anyMatch(c -> published.zooRowFor(c) != null)
                || (paper != null && cells.stream().anyMatch(c -> published.paperRowFor(paper, c) != null));
        if (!anyPublished) {
            md.append(
                            "No published number applies: a published number is shown only beside a result measured on the same")
                    .append(" dataset (COCO val2017 / minival), schedule, backbone and test scale, so numbers on ")
                    .append(datasets)
                    .append(" are compared only with each other.\n\n");
        } else {
            md.append("Published numbers: mmdetection's model zoo (COCO val2017)")
                    .append(paper != null ? " and the paper's " + paper : "")
                    .append(".\n\n");
        }

        md.append("| cell | ")
                .append(String.join(" | ", diffKeys))
                .append(" | runs | AP | AP50 | AP75 | APs | APm | APl | p vs ref | train time |")
                .append(paper != null ? " paper AP |" : "")
                .append(" published AP | diff |\n");
        md.append("|---".repeat(diffKeys.size() + 12 + (paper != null ? 1 : 0))).append("|\n");
        List<String> plotNames = new ArrayList<>();
        List<Double> plotMeans = new ArrayList<>();
        List<Double> plotStds = new ArrayList<>();
        for (Group g : groups) {
            md.append("| `").append(g.name()).append("` | ");
            for (String k : diffKeys) {
                md.append(format(g.differences().get(k))).append(" | ");
            }
            long finished = g.cells().stream().filter(CellResult::finished).count();
            md.append(finished).append("/").append(g.cells().size()).append(" | ");
            for (String m : METRICS) {
                md.append(meanStd(g.values(m))).append(" | ");
            }
            md.append(pValue(g, ref)).append(" | ");
            md.append(String.format(
                            "%.1f min",
                            g.cells().stream()
                                            .mapToDouble(CellResult::trainSeconds)
                                            .average()
                                            .orElse(0)
                                    / 60))
                    .append(" |");
            CellResult first = g.cells().get(0);
            if (paper != null) {
                PublishedResults.PaperRow row = published.paperRowFor(paper, first);
                md.append(row == null ? " n/a |" : String.format(" %.1f |", row.ap()));
            }
            PublishedResults.ZooRow zoo = published.zooRowFor(first);
            if (zoo != null) {
                double ours = 100 * mean(g.values("AP"));
                md.append(String.format(" %.1f (%s) | %+.1f |", zoo.ap(), zoo.config(), ours - zoo.ap()));
            } else {
                md.append(" n/a | |");
            }
            md.append('\n');
            List<Double> ap = g.values("AP");
            plotNames.add(g.name());
            plotMeans.add(mean(ap));
            plotStds.add(ap.size() > 1 ? std(ap) : Double.NaN);
            for (CellResult c : g.cells()) {
                csv.append(q(g.name()))
                        .append(',')
                        .append(q(c.name()))
                        .append(',')
                        .append(format(c.config().get("seed")))
                        .append(',')
                        .append(c.status());
                for (String k : diffKeys) {
                    csv.append(',').append(q(format(g.differences().get(k))));
                }
                for (String m : METRICS) {
                    Double v = c.metrics().get(m);
                    csv.append(',').append(v == null ? "" : String.format("%.6f", v));
                }
                csv.append(String.format(
                        ",%.1f,%s,%s%n",
                        c.trainSeconds(), zoo == null ? "" : zoo.ap(), zoo == null ? "" : zoo.config()));
            }
        }
        md.append("\nAP values are COCO AP@[.50:.95] in [0, 1] (mmdetection's table prints them x100). ")
                .append("p: Welch's two-sided t-test of the cell's AP over seeds against the reference cell ")
                .append("(needs at least two finished seeds on both sides); n.s.: not significant at the 5% level.\n");
        md.append("\n## Against the reference\n\n");
        for (Group g : groups) {
            if (g != ref) {
                md.append("- ")
                        .append(Significance.sentence(g.name(), g.values("AP"), ref.name(), ref.values("AP")))
                        .append('\n');
            }
        }
        List<CellResult> failed = cells.stream().filter(c -> !c.finished()).toList();
        if (!failed.isEmpty()) {
            md.append("\n## Runs that did not finish\n\n");
            for (CellResult c : failed) {
                md.append("- `")
                        .append(c.name())
                        .append("`: ")
                        .append(c.status())
                        .append(c.error() == null ? "" : ": " + c.error().replace('\n', ' '))
                        .append('\n');
            }
        }
        appendPlugins(md, cells);
        Plots.apBars(plotNames, plotMeans, plotStds, workDir.resolve("ap.png"));
        Map<String, TreeMap<Long, Double>> curves = new LinkedHashMap<>();
        cells.forEach(c -> curves.put(c.name(), c.lossCurve()));
        Plots.lossCurves(curves, workDir.resolve("loss.png"));
        md.append("\n## Plots\n\n![AP per cell](ap.png)\n\n![Training loss](loss.png)\n");
        md.append("\nTensorBoard: `tensorboard --logdir ")
                .append(workDir.toAbsolutePath())
                .append("` (HParams tab: the grid as a table).\n");
        writeAtomically(workDir.resolve("results.csv"), csv.toString());
        Path report = workDir.resolve("report.md");
        writeAtomically(report, md.toString());
        return report;
    }

    /** Plugin jars from outside the platform that cells used (from each run's record), so a run can be redone. */
    private void appendPlugins(StringBuilder md, List<CellResult> cells) throws IOException {
        Map<String, List<String>> jarsByCell = new LinkedHashMap<>();
        for (CellResult c : cells) {
            Path manifest = workDir.resolve(c.name()).resolve("manifest.json");
            if (!Files.exists(manifest)) {
                continue;
            }
            List<String> jars = new ArrayList<>();
            for (JsonNode p :
                    JSON.readTree(manifest.toFile()).path("environment").path("plugins")) {
                if (p.path("external").asBoolean(false)) {
                    List<String> ids = new ArrayList<>();
                    p.path("ids")
                            .fields()
                            .forEachRemaining(e -> e.getValue().forEach(id -> ids.add(e.getKey() + " " + id.asText())));
                    jars.add("`" + p.path("source").asText() + "` (sha256 "
                            + p.path("sha256").asText("?") + "; " + String.join(", ", ids) + ")");
                }
            }
            if (!jars.isEmpty()) {
                jarsByCell.put(c.name(), jars);
            }
        }
        if (jarsByCell.isEmpty()) {
            return;
        }
        md.append("\n## Plugins from outside the platform\n\n");
        jarsByCell.forEach((cell, jars) -> md.append("- `")
                .append(cell)
                .append("`: ")
                .append(String.join("; ", jars))
                .append('\n'));
    }

    private List<CellResult> readCells(JsonNode grid) throws IOException {
        List<Path> dirs = new ArrayList<>();
        if (grid != null) {
            for (JsonNode c : grid.get("cells")) {
                dirs.add(workDir.resolve(c.get("name").asText()));
            }
        } else {
            try (Stream<Path> s = Files.list(workDir)) {
                s.filter(p -> Files.exists(p.resolve("manifest.json"))).sorted().forEach(dirs::add);
            }
        }
        List<CellResult> out = new ArrayList<>();
        for (Path d : dirs) {
            out.add(readCell(d, grid));
        }
        return out;
    }

    private CellResult readCell(Path dir, JsonNode grid) throws IOException {
        String name = dir.getFileName().toString();
        String group = name;
        if (grid != null) {
            for (JsonNode c : grid.get("cells")) {
                if (c.get("name").asText().equals(name)) {
                    group = c.get("group").asText();
                }
            }
        }
        if (!Files.exists(dir.resolve("manifest.json"))) {
            return new CellResult(name, group, "not started", Map.of(), Map.of(), 0, new TreeMap<>(), null);
        }
        JsonNode manifest = JSON.readTree(dir.resolve("manifest.json").toFile());
        RunDirectory.State state = new RunDirectory(dir).state();
        Map<String, Object> config = new TreeMap<>();
        if (Files.exists(dir.resolve("config.yaml"))) {
            org.retinanet.experiments.grid.Flatten.into(
                    "", YAML.readTree(dir.resolve("config.yaml").toFile()), config);
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        if (Files.exists(dir.resolve("metrics.json"))) {
            JSON.readTree(dir.resolve("metrics.json").toFile())
                    .path("metrics")
                    .fields()
                    .forEachRemaining(e -> metrics.put(e.getKey(), e.getValue().asDouble()));
        }
        String error = notes.getOrDefault(name, state.error());
        return new CellResult(
                name,
                group,
                state.status(),
                config,
                metrics,
                manifest.path("trainSeconds").asDouble(0),
                lossCurve(dir),
                error);
    }

    static TreeMap<Long, Double> lossCurve(Path dir) throws IOException {
        TreeMap<Long, Double> curve = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.filter(p -> p.getFileName().toString().contains("tfevents"))
                    .sorted()
                    .toList()) {
                try {
                    EventFileReader.read(f).scalars("train/loss").forEach((k, v) -> curve.put(k, (double) v));
                } catch (IOException e) {
                    // a damaged event file loses its curve, not the report
                }
            }
        }
        return curve;
    }

    private static List<Group> group(List<CellResult> cells, JsonNode grid) {
        Map<String, List<CellResult>> byGroup = new LinkedHashMap<>();
        cells.forEach(
                c -> byGroup.computeIfAbsent(c.group(), k -> new ArrayList<>()).add(c));
        Map<String, Map<String, Object>> diffs = new LinkedHashMap<>();
        if (grid != null) {
            for (JsonNode c : grid.get("cells")) {
                Map<String, Object> d = new LinkedHashMap<>();
                c.path("differences").fields().forEachRemaining(e -> {
                    // a cell without the setting (gamma of a CE cell) has nothing to show there
                    if (!e.getKey().equals("seed") && !e.getValue().isNull()) {
                        d.put(
                                e.getKey(),
                                e.getValue().isNumber()
                                        ? e.getValue().asDouble()
                                        : e.getValue().asText());
                    }
                });
                diffs.putIfAbsent(c.get("group").asText(), d);
            }
        }
        List<Group> out = new ArrayList<>();
        byGroup.forEach((k, v) -> out.add(new Group(k, v, diffs.getOrDefault(k, Map.of()))));
        return out;
    }

    static String pValue(Group g, Group ref) {
        return g == ref ? "ref" : Significance.cell(g.values("AP"), ref.values("AP"));
    }

    static double mean(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    static double std(List<Double> v) {
        SummaryStatistics s = new SummaryStatistics();
        v.forEach(s::addValue);
        return s.getStandardDeviation();
    }

    private static String meanStd(List<Double> v) {
        return Significance.meanStd(v);
    }

    private static String format(Object o) {
        if (o == null) {
            return "";
        }
        if (o instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e9) {
            return String.valueOf(d.longValue());
        }
        return o.toString();
    }

    private static String q(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    private static void writeAtomically(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        Files.move(
                tmp,
                file,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
