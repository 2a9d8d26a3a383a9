package org.retinanet.experiments.grid;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retinanet.api.registry.Registry;
import org.retinanet.experiments.run.RunDirectory;
import org.retinanet.experiments.tensorboard.EventFileReader;
import org.retinanet.experiments.train.StopRequest;

/**
 * A real grid of two tiny cells, each in its own JVM: one trains, one diverges (no GroupNorm and no
 * clipping, so a huge learning rate does blow up). The failure is
 * isolated and reported; running the grid again skips the finished cell and retries the other.
 */
class GridRunnerTest {

    @TempDir
    Path dir;

    @Test
    void failedCellIsIsolatedAndARerunSkipsFinishedCells() throws Exception {
        TinyCells.write(
                dir, 4, 2, "{epochs: 1, warmupIters: 1, checkpointInterval: 1, logInterval: 1, gradClipNorm: null}");
        Files.writeString(dir.resolve("grid.yaml"), """
                base: tiny.yaml
                axes:
                  train.lr: [0.001, 1.0e12]
                """);
        GridSpec spec = GridSpec.read(dir.resolve("grid.yaml"));
        Path work = dir.resolve("work");
        Registry registry = Registry.create(List.of());

        ByteArrayOutputStream log = new ByteArrayOutputStream();
        List<GridRunner.Outcome> first = new GridRunner(spec, work, 2, List.of(), registry, 0)
                .run(new PrintStream(log, true, StandardCharsets.UTF_8));
        String out = log.toString(StandardCharsets.UTF_8);
        assertThat(first).extracting(GridRunner.Outcome::status).containsExactly("finished", "failed");
        assertThat(out).contains("[lr=0.001] finished").contains("[lr=1.0E12] FAILED");
        assertThat(first.get(1).detail()).contains("non-finite");
        Path good = work.resolve("lr=0.001");
        assertThat(good.resolve("metrics.json")).exists();
        assertThat(new ObjectMapper()
                        .readTree(work.resolve("lr=1.0E12/manifest.json").toFile())
                        .get("status")
                        .asText())
                .isEqualTo("failed");
        // each cell's OpenMP pool is its share of the CPUs, as a Slurm task's is
        JsonNode engine = new ObjectMapper()
                .readTree(good.resolve("manifest.json").toFile())
                .at("/environment/engine");
        assertThat(engine.get("OMP_NUM_THREADS").asText())
                .isEqualTo(engine.get("numThreads").asText());
        // the grid root holds the HParams experiment; the cell holds its session
        Path rootEvents = EventFileReader.find(work);
        assertThat(EventFileReader.read(rootEvents).events().stream()
                        .flatMap(e -> e.values().stream())
                        .anyMatch(v -> v.tag().equals("_hparams_/experiment")))
                .isTrue();

        // grid --status reads the same from the run directories (a local grid: no Slurm column)
        ByteArrayOutputStream status = new ByteArrayOutputStream();
        new GridStatus(work, new org.retinanet.experiments.grid.slurm.SlurmClient())
                .print(new PrintStream(status, true, StandardCharsets.UTF_8), false);
        List<String> lines = status.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines.get(0)).endsWith(": 2 cells (1 finished, 1 failed)");
        assertThat(lines.get(1)).startsWith("cell").doesNotContain("slurm");
        assertThat(lines.get(2)).startsWith("lr=0.001").contains("finished").contains(" 2 ");
        assertThat(lines.get(3)).startsWith("lr=1.0E12").contains("failed").contains("non-finite");
        List<GridStatus.Row> rows = new GridStatus(work, null).rows();
        assertThat(rows.get(0).ap()).isNotNull();
        assertThat(rows.get(0).loss()).isNotNull();

        FileTime finishedAt = Files.getLastModifiedTime(good.resolve("metrics.json"));
        ByteArrayOutputStream log2 = new ByteArrayOutputStream();
        List<GridRunner.Outcome> second = new GridRunner(spec, work, 1, List.of(), registry, 0)
                .run(new PrintStream(log2, true, StandardCharsets.UTF_8));
        assertThat(log2.toString(StandardCharsets.UTF_8))
                .contains("[lr=0.001] already finished, skipped")
                .contains("[lr=1.0E12] resuming");
        assertThat(second.get(0).detail()).contains("skipped");
        assertThat(Files.getLastModifiedTime(good.resolve("metrics.json"))).isEqualTo(finishedAt);
    }

    @Test
    void aStopRequestReachesTheRunningCellWhichCheckpointsAndARerunResumesIt() throws Exception {
        TinyCells.write(dir, 200, 2, "{epochs: 1, warmupIters: 1, checkpointInterval: 1000, logInterval: 1}");
        Files.writeString(dir.resolve("grid.yaml"), "base: tiny.yaml\naxes:\n  train.lr: [0.001, 0.002]\n");
        GridSpec spec = GridSpec.read(dir.resolve("grid.yaml"));
        Path work = dir.resolve("work");
        Path first = work.resolve("lr=0.001");
        // what SIGTERM or Ctrl-C on `grid` sets: here, once the first cell is past iteration 3
        StopRequest stop = () -> {
            Long at = new RunDirectory(first).state().iteration();
            return at != null && at >= 3 ? "SIGTERM" : null;
        };
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        List<GridRunner.Outcome> outcomes = new GridRunner(
                        spec, work, 1, List.of(), Registry.create(List.of()), 0, stop)
                .run(new PrintStream(log, true, StandardCharsets.UTF_8));
        assertThat(outcomes).extracting(GridRunner.Outcome::status).containsExactly("stopped", "stopped");
        assertThat(outcomes.get(1).detail()).contains("not started");
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("[lr=0.001] stopped with a checkpoint at iteration");
        RunDirectory.State state = new RunDirectory(first).state();
        assertThat(state.status()).isEqualTo("stopped");
        assertThat(state.iteration()).isBetween(3L, 99L);
        assertThat(Files.readString(first.resolve("train.log"))).contains("SIGTERM received");

        List<GridRunner.Outcome> again = new GridRunner(spec, work, 2, List.of(), Registry.create(List.of()), 0)
                .run(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertThat(again).extracting(GridRunner.Outcome::status).containsExactly("finished", "finished");
        assertThat(Files.readString(first.resolve("train.log")))
                .contains("resumed from")
                .contains("at iteration " + state.iteration());
    }
}
