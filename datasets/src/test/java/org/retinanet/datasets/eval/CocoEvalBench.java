package org.retinanet.datasets.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import org.retinanet.api.data.CocoResultsJson;

/**
 * Timing of the {@code coco} evaluator for scripts/bench/coco_eval_bench.sh (not a test):
 * {@code CocoEvalBench gt.json dets.json out.json}. Loads the ground truth and the results file
 * (streaming, {@link CocoEvalFiles}) into a problem, then times evaluate + accumulate + summarize once in a
 * fresh JVM (what a user sees; pycocotools is timed the same way) and the best of a few repeats.
 */
public final class CocoEvalBench {

    private static final int REPEATS = 5;

    private CocoEvalBench() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: CocoEvalBench gt.json dets.json out.json");
            System.exit(2);
        }
        ObjectMapper mapper = new ObjectMapper();
        long t0 = System.nanoTime();
        CocoEvalProblem problem = load(mapper, Path.of(args[0]), Path.of(args[1]));
        long t1 = System.nanoTime();
        CocoEvaluatorConfig config = CocoEvaluatorConfig.defaults();
        CocoEvalResult result = CocoEval.run(problem, config);
        double[] stats = result.stats();
        String summary = result.summary();
        long t2 = System.nanoTime();
        double best = (t2 - t1) / 1e9;
        for (int i = 0; i < REPEATS; i++) {
            long s = System.nanoTime();
            CocoEval.run(problem, config).stats();
            best = Math.min(best, (System.nanoTime() - s) / 1e9);
        }
        System.out.printf(
                "java: %d images, %d categories, %d gt, %d detections, threads %d%n",
                problem.imageCount(),
                problem.categoryCount(),
                problem.gtCount(),
                problem.detectionCount(),
                config.threads());
        System.out.printf(
                "java: load %.3f s, evaluate+accumulate+summarize %.3f s (first), %.3f s (best of %d)%n",
                (t1 - t0) / 1e9, (t2 - t1) / 1e9, best, REPEATS + 1);
        ObjectNode out = mapper.createObjectNode();
        out.put("load_s", (t1 - t0) / 1e9);
        out.put("eval_first_s", (t2 - t1) / 1e9);
        out.put("eval_best_s", best);
        out.put("repeats", REPEATS + 1);
        out.put("threads", config.threads());
        var array = out.putArray("stats");
        for (double v : stats) {
            array.add(v);
        }
        out.put("summary", summary);
        mapper.writerWithDefaultPrettyPrinter().writeValue(Path.of(args[2]).toFile(), out);
    }

    private static long cpuNanos() {
        return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    static CocoEvalProblem load(ObjectMapper mapper, Path gtFile, Path detsFile) throws IOException {
        long start = System.nanoTime();
        long cpu0 = cpuNanos();
        CocoEvalProblem.Builder b = CocoEvalFiles.groundTruth(gtFile);
        long t = System.nanoTime();
        long cpu = cpuNanos();
        CocoResultsJson.read(detsFile, b::addDetection);
        CocoEvalProblem problem = b.build();
        System.out.printf(
                "java: ground truth read in %.3f s (%.3f s cpu), results + grouping in %.3f s"
                        + " (%.3f s cpu of this thread: the machine is shared)%n",
                (t - start) / 1e9, (cpu - cpu0) / 1e9, (System.nanoTime() - t) / 1e9, (cpuNanos() - cpu) / 1e9);
        return problem;
    }
}
