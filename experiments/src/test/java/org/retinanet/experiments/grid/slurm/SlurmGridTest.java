package org.retinanet.experiments.grid.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retinanet.cli.CliRunner;
import org.retinanet.experiments.grid.RunDivergence;
import org.retinanet.experiments.grid.TinyCells;

/**
 * {@code grid --executor slurm} against a real Slurm: the single-node cluster that
 * {@code scripts/slurm/local-cluster.sh up} starts (and {@code scripts/test.sh} starts for the test
 * suite). Without a cluster these tests say so in one line and are skipped, unless the test command
 * brought one up ({@code RETINANET_SLURM_REQUIRED=1}), where its absence is a failure.
 */
class SlurmGridTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @BeforeAll
    static void requireSlurm() {
        String why = unavailable();
        if (why == null) {
            return;
        }
        if ("1".equals(System.getenv("RETINANET_SLURM_REQUIRED"))) {
            fail("the test command brought up a Slurm cluster, but " + why);
        }
        System.err.println("*** Slurm integration tests NOT run: " + why
                + " (as root, scripts/slurm/local-cluster.sh up starts a local cluster) ***");
        Assumptions.abort(why);
    }

    /** A grid file over {@link TinyCells} ({@code images / 2} iterations per epoch, 2 epochs, 1 thread a cell). */
    private Path grid(String name, int images, String axes) throws Exception {
        TinyCells.write(
                dir,
                images,
                4,
                "{epochs: 2, warmupIters: 1, checkpointInterval: 1000, logInterval: 1, gradClipNorm: null}");
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, "base: tiny.yaml\n" + axes + """
                executor: {type: slurm, cpusPerTask: 1, mem: 3G, maxConcurrent: 2}
                """);
        return file;
    }

    @Test
    void gridOnSlurmIsolatesAFailingCellNeverQueuesACellTwiceAndReportsLikeTheLocalExecutor() throws Exception {
        Path grid = grid("pair", 8, "axes:\n  train.lr: [0.001, 1.0e12]\n");
        Path work = dir.resolve("slurm-work");
        CliRunner.Result first = CliRunner.run("grid", "--config", grid.toString(), "--work-dir", work.toString());
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.out())
                .contains("[lr=0.001] submitted as task")
                .contains("[lr=1.0E12] submitted as task")
                .contains("submitted job array");
        assertThat(Files.readString(work.resolve("slurm/grid.sbatch")))
                .contains("#SBATCH --requeue", "#SBATCH --cpus-per-task=1");

        // submitted again at once: both cells are queued or running, so nothing new is queued
        CliRunner.Result again = CliRunner.run("grid", "--config", grid.toString(), "--work-dir", work.toString());
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(again.out())
                .containsPattern("\\[lr=0\\.001] already (pending|running|configuring) as task")
                .contains("nothing to submit");
        assertThat(submissions(work)).hasSize(1);

        String reportJob = submissions(work).get(0).get("reportJob").asText();
        awaitJobsGone(List.of(submissions(work).get(0).get("arrayJob").asText(), reportJob), work);
        assertThat(work.resolve("report.md")).as("written by the report job").exists();
        String report = Files.readString(work.resolve("report.md"));
        assertThat(report)
                .contains("## Runs that did not finish")
                .contains("`lr=1.0E12`: failed")
                .contains("non-finite");

        CliRunner.Result status = CliRunner.run("grid", "--status", "--work-dir", work.toString());
        assertThat(status.exitCode()).as(status.err()).isZero();
        String good = status.out()
                .lines()
                .filter(l -> l.startsWith("lr=0.001 "))
                .findFirst()
                .orElseThrow();
        String bad = status.out()
                .lines()
                .filter(l -> l.startsWith("lr=1.0E12 "))
                .findFirst()
                .orElseThrow();
        assertThat(good).contains("COMPLETED").contains("finished").contains(" 8 ");
        assertThat(bad).contains("FAILED").contains("failed").contains("non-finite");

        // the same grid run locally, one thread per cell as on Slurm: the same numbers
        Path local = dir.resolve("local-work");
        CliRunner.Result here = runLocally(grid, local);
        assertThat(here.exitCode()).as("one cell fails here too").isEqualTo(1);
        assertThat(withoutTimes(work.resolve("results.csv"))).isEqualTo(withoutTimes(local.resolve("results.csv")));
        assertThat(Files.readAllBytes(finalModel(work.resolve("lr=0.001"))))
                .isEqualTo(Files.readAllBytes(finalModel(local.resolve("lr=0.001"))));

        // submitted once more: only the failed cell, which is not finished
        CliRunner.Result retry = CliRunner.run("grid", "--config", grid.toString(), "--work-dir", work.toString());
        assertThat(retry.out()).contains("[lr=0.001] finished").contains("[lr=1.0E12] submitted as task");
        JsonNode last = submissions(work).get(1);
        assertThat(last.get("tasks").size()).isEqualTo(1);
        slurm("scancel", last.get("arrayJob").asText(), last.get("reportJob").asText());
    }

    @Test
    void preemptedTaskResumesTwiceAndEndsWithTheWeightsOfAnUninterruptedRun() throws Exception {
        Path grid = grid("one", 200, "set: [train.lr=0.001]\n");
        Path work = dir.resolve("preempted");
        CliRunner.Result submitted = CliRunner.run("grid", "--config", grid.toString(), "--work-dir", work.toString());
        assertThat(submitted.exitCode()).as(submitted.err()).isZero();
        String task = submissions(work).get(0).get("arrayJob").asText() + "_0";
        Path cell = work.resolve("base");

        // the time-limit warning, as --signal=B:USR1@s sends it: the task checkpoints and requeues itself
        await(() -> iteration(cell) >= 5, "the cell to pass iteration 5", work);
        slurm("scancel", "--signal=USR1", "--batch", task);
        await(() -> log(cell).contains("stopped by SIGUSR1"), "the cell to stop on SIGUSR1", work);
        long firstStop = iteration(cell);
        // preemption as Slurm does it: SIGTERM to the task, which Slurm requeues itself
        await(
                () -> log(cell).contains("at iteration " + firstStop) && iteration(cell) >= firstStop + 10,
                "the requeued task to resume and train on",
                work);
        slurm("scontrol", "requeue", task);
        awaitJobsGone(
                List.of(
                        submissions(work).get(0).get("arrayJob").asText(),
                        submissions(work).get(0).get("reportJob").asText()),
                work);

        String trainLog = log(cell);
        assertThat(trainLog).contains("SIGUSR1 received").contains("SIGTERM received");
        assertThat(trainLog.lines().filter(l -> l.startsWith("retinanet: resumed from")))
                .hasSize(2);
        String batchLog = Files.readString(work.resolve("slurm/logs/" + task + ".out"));
        assertThat(batchLog).contains("restart 1").contains("restart 2").contains("requeueing " + task);
        JsonNode manifest = JSON.readTree(cell.resolve("manifest.json").toFile());
        assertThat(manifest.get("status").asText()).isEqualTo("finished");
        assertThat(manifest.get("resumedAt")).hasSize(2);

        Path local = dir.resolve("uninterrupted");
        CliRunner.Result here = runLocally(grid, local);
        assertThat(here.exitCode()).as(here.out()).isZero();
        for (String file : List.of("model.safetensors", "optimizer.safetensors", "state.json")) {
            byte[] resumed = Files.readAllBytes(finalModel(cell).resolveSibling(file));
            byte[] reference =
                    Files.readAllBytes(finalModel(local.resolve("base")).resolveSibling(file));
            if (!Arrays.equals(resumed, reference)) {
                fail(file + " of the preempted run differs from the uninterrupted run's: "
                        + RunDivergence.describe(cell, local.resolve("base")));
            }
        }
        assertThat(JSON.readTree(cell.resolve("metrics.json").toFile()))
                .isEqualTo(JSON.readTree(local.resolve("base/metrics.json").toFile()));
    }

    /** The same grid with the local executor, one libtorch thread per cell as with one CPU per task on Slurm. */
    private static CliRunner.Result runLocally(Path grid, Path work) {
        return CliRunner.run(
                "grid",
                "--config",
                grid.toString(),
                "--work-dir",
                work.toString(),
                "--executor",
                "local",
                "--jobs",
                String.valueOf(Runtime.getRuntime().availableProcessors()));
    }

    private static List<JsonNode> submissions(Path work) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        JSON.readTree(work.resolve("slurm/submissions.json").toFile()).forEach(out::add);
        return out;
    }

    private static long iteration(Path cell) {
        try {
            return JSON.readTree(cell.resolve("manifest.json").toFile())
                    .path("iteration")
                    .asLong(0);
        } catch (Exception e) {
            return 0; // not started, or being replaced
        }
    }

    private static String log(Path cell) {
        try {
            return Files.readString(cell.resolve("train.log"));
        } catch (Exception e) {
            return "";
        }
    }

    private static Path finalModel(Path cell) throws Exception {
        Path checkpoints = cell.resolve("checkpoints");
        return checkpoints
                .resolve(Files.readString(checkpoints.resolve("latest")).trim())
                .resolve("model.safetensors");
    }

    /** results.csv without the train time (wall clock differs between any two runs). */
    private static List<String> withoutTimes(Path csv) throws Exception {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(csv)) {
            List<String> cols = new ArrayList<>(List.of(line.split(",", -1)));
            int t = List.of(Files.readAllLines(csv).get(0).split(",", -1)).indexOf("train_seconds");
            cols.remove(t);
            out.add(String.join(",", cols));
        }
        return out;
    }

    private static void await(BooleanSupplier condition, String what, Path work) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("waited 5 minutes for " + what + "; queue:\n" + slurm("squeue") + "\nlogs:\n" + logs(work));
            }
            Thread.sleep(200);
        }
    }

    private static void awaitJobsGone(List<String> jobs, Path work) throws Exception {
        await(
                () -> {
                    try {
                        String queue = slurm("squeue", "-h", "-o", "%i");
                        return queue.lines()
                                .noneMatch(l -> jobs.stream()
                                        .anyMatch(j ->
                                                l.trim().equals(j) || l.trim().startsWith(j + "_")));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                },
                "jobs " + jobs + " to end",
                work);
    }

    private static String logs(Path work) throws Exception {
        StringBuilder out = new StringBuilder();
        try (Stream<Path> s = Files.walk(work)) {
            for (Path p : s.filter(
                            f -> f.toString().endsWith(".out") || f.toString().endsWith("train.log"))
                    .toList()) {
                List<String> lines = Files.readAllLines(p);
                out.append("== ")
                        .append(p)
                        .append('\n')
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size())))
                        .append('\n');
            }
        }
        return out.toString();
    }

    private static String slurm(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(1, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }

    /** Null when a Slurm controller answers with a usable node; otherwise why not. */
    private static String unavailable() {
        try {
            Process p = new ProcessBuilder("sinfo", "-h", "-o", "%t")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return "sinfo fails (" + out.replace('\n', ' ') + ")";
            }
            return out.lines()
                            .anyMatch(s -> s.startsWith("idle")
                                    || s.startsWith("mix")
                                    || s.startsWith("alloc")
                                    || s.startsWith("comp"))
                    ? null
                    : "no Slurm node is up (sinfo: " + out.replace('\n', ' ') + ")";
        } catch (Exception e) {
            return "no Slurm commands here (" + e.getMessage() + ")";
        }
    }
}
