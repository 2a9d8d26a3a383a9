package org.retinanet.experiments.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.retinanet.api.registry.Registry;
import org.retinanet.experiments.config.Experiment;
import org.retinanet.experiments.report.PublishedResults;

/**
 * {@code retinanet bench --table}: every preset of mmdetection's RetinaNet table
 * (published/mmdet.csv) measured at the published test scale, printed beside the published memory
 * and speed. Rows whose model is identical (1x, 2x and 3x schedules of one architecture) are
 * measured once and share the figures.
 */
public final class PublishedTableBench {

    /** mmdetection's test scale (1333, 800): height 800, width up to 1333. */
    public static final int HEIGHT = 800;

    public static final int WIDTH = 1333;

    /** One row: the published figures and ours. */
    public record Row(PublishedResults.ZooRow published, BenchResult ours, String sameModelAs) {}

    private final Registry registry;

    public PublishedTableBench(Registry registry) {
        this.registry = registry;
    }

    /**
     * @param overrides applied to every preset
     * @param progress where to report each row as it is measured (stderr)
     */
    public List<Row> run(
            List<String> overrides, BenchSettings settings, String deviceName, int threads, PrintStream progress) {
        BenchRunner runner = new BenchRunner(registry);
        Map<JsonNode, Row> measured = new LinkedHashMap<>();
        List<Row> rows = new ArrayList<>();
        for (PublishedResults.ZooRow zoo : new PublishedResults().zoo()) {
            Experiment e = Experiment.load(zoo.config(), overrides, registry);
            JsonNode model = e.resolved().tree().get("model");
            Row same = measured.get(model);
            if (same != null) {
                rows.add(new Row(zoo, same.ours(), same.published().config()));
                continue;
            }
            progress.printf("bench: %s (%s) ...%n", zoo.config(), zoo.backbone());
            BenchResult r = runner.run(e, settings, deviceName, threads);
            progress.printf(
                    "bench: %s: %.1f ms per step, %.2f images/s, peak RSS %.0f MiB (load %s)%n",
                    zoo.config(),
                    r.stepMs().median(),
                    r.imagesPerSecond(),
                    r.memory().rssPeakMb(),
                    load(r.loadAverageAtEnd()));
            Row row = new Row(zoo, r, null);
            measured.put(model, row);
            rows.add(row);
        }
        return rows;
    }

    /** The table as text: published Mem (GB) and fps (V100) beside ours. */
    public static String format(List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        BenchResult first = rows.isEmpty() ? null : rows.get(0).ours();
        String memLabel = first != null && first.memory().deviceUsedPeakMb() != null ? "dev GB" : "RSS GB";
        sb.append(String.format(
                "%-44s %-17s %-13s %8s %8s | %9s %8s %8s%n",
                "config", "backbone", "schedule", "mem GB", "fps", "ours fps", memLabel, "step ms"));
        sb.append(String.format(
                "%-44s %-17s %-13s %8s %8s | %9s %8s %8s%n", "", "", "", "(pub.)", "(V100)", "", "", "(p10-p90)"));
        for (Row r : rows) {
            BenchResult o = r.ours();
            double memGb = (o.memory().deviceUsedPeakMb() != null
                            ? o.memory().deviceUsedPeakMb()
                            : o.memory().rssPeakMb())
                    / 1024.0;
            sb.append(String.format(
                    "%-44s %-17s %-13s %8s %8s | %9.3f %8.2f %8s%n",
                    r.published().config(),
                    r.published().backbone(),
                    r.published().schedule(),
                    opt(r.published().memGb()),
                    opt(r.published().fps()),
                    o.imagesPerSecond(),
                    memGb,
                    r.sameModelAs() != null
                            ? "=" + shortName(r.sameModelAs())
                            : String.format(
                                    "%.0f-%.0f", o.stepMs().p10(), o.stepMs().p90())));
        }
        if (first != null) {
            sb.append(String.format(
                    "ours: %s, %s, batch %d, %dx%d (padded %dx%d), %d warmup + %d timed steps, %d intra-op"
                            + " threads, %s, ONEDNN_MAX_CPU_ISA=%s, load %s; random weights, FP32 (the amp row too).%n",
                    first.mode(),
                    first.device(),
                    first.batch(),
                    first.height(),
                    first.width(),
                    first.paddedHeight(),
                    first.paddedWidth(),
                    first.warmup(),
                    first.steps(),
                    first.machine().intraOpThreads(),
                    first.machine().cpuModel() + " x" + first.machine().cpus(),
                    first.machine().oneDnnMaxCpuIsa(),
                    load(first.machine().loadAverage())));
            sb.append("published: mmdetection model zoo; Mem (GB) is training memory per GPU (2 images), fps is"
                    + " inference on a V100 including data loading.\n");
        }
        return sb.toString();
    }

    static String load(double[] l) {
        return l.length == 0 ? "n/a" : String.format("%.2f %.2f %.2f", l[0], l[1], l[2]);
    }

    private static String opt(Double v) {
        return v == null ? "-" : String.format("%.1f", v);
    }

    private static String shortName(String config) {
        return config.replace("retinanet_", "").replace("_coco", "");
    }
}
