package org.retinanet.experiments.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.within;
import static org.retinanet.experiments.train.TinyTraining.TOTAL_ITERS;
import static org.retinanet.experiments.train.TinyTraining.checkpoint;
import static org.retinanet.experiments.train.TinyTraining.eventFiles;
import static org.retinanet.experiments.train.TinyTraining.losses;
import static org.retinanet.experiments.train.TinyTraining.run;
import static org.retinanet.experiments.train.TinyTraining.scalars;
import static org.retinanet.experiments.train.TinyTraining.snapshot;
import static org.retinanet.experiments.train.TinyTraining.trainArgs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retinanet.api.data.Category;
import org.retinanet.api.data.CocoResultsJson;
import org.retinanet.api.data.Detection;
import org.retinanet.api.registry.Registry;
import org.retinanet.experiments.config.Experiment;
import org.retinanet.experiments.config.TrainConfig;
import org.retinanet.experiments.tensorboard.EventFileReader;
import org.retinanet.experiments.tensorboard.EventFileReader.EventFile;
import org.retinanet.experiments.tensorboard.EventFileReader.HParamsData;
import org.retinanet.experiments.tensorboard.SessionStatus;

/**
 * {@code retinanet train} end to end on a tiny shapes run (see {@link TinyTraining}): one
 * uninterrupted reference run, shared by the tests, is what determinism, resume after
 * {@code kill -9}, event files, metrics and corrupt-checkpoint handling are checked against.
 */
class TrainCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> LOSS_TAGS = List.of("train/loss_cls", "train/loss_bbox");

    @TempDir
    static Path tmp;

    static Path reference;

    @BeforeAll
    static void trainReferenceRun() {
        reference = tmp.resolve("reference");
        TinyTraining.Outcome r = run(trainArgs(reference, List.of()));
        assertThat(r.exitCode()).as("reference run failed:%n%s", r.err()).isZero();
    }

    private static List<Long> steps(long fromExclusive, long toInclusive) {
        return LongStream.rangeClosed(fromExclusive + 1, toInclusive).boxed().toList();
    }

    @Test
    void sameConfigAndSeedGiveIdenticalLossesAndWeights() throws Exception {
        Path twin = tmp.resolve("twin");
        TinyTraining.Outcome r = run(trainArgs(twin, List.of()));
        assertThat(r.exitCode()).as(r.err()).isZero();

        Map<String, Map<Long, Float>> a = losses(eventFiles(reference).get(0));
        Map<String, Map<Long, Float>> b = losses(eventFiles(twin).get(0));
        for (String tag : LOSS_TAGS) {
            assertThat(a.get(tag).keySet()).as(tag).containsExactlyElementsOf(steps(0, TOTAL_ITERS));
            assertThat(b.get(tag)).as(tag).isEqualTo(a.get(tag));
        }
        // the losses move (a run that does nothing would be trivially reproducible)
        assertThat(new HashSet<>(a.get("train/loss_bbox").values())).hasSizeGreaterThan(1);
        for (String file : List.of("model.safetensors", "optimizer.safetensors", "state.json")) {
            assertThat(Files.readAllBytes(checkpoint(twin, TOTAL_ITERS).resolve(file)))
                    .as(file)
                    .isEqualTo(Files.readAllBytes(
                            checkpoint(reference, TOTAL_ITERS).resolve(file)));
        }
    }

    @Test
    void resumeAfterKillMinus9EndsLikeAnUninterruptedRun() throws Exception {
        Path dir = tmp.resolve("killed");
        Files.createDirectories(dir);
        Path childLog = tmp.resolve("killed-child.log");
        Process child = startChildTraining(dir, childLog);
        Path latest = dir.resolve("checkpoints").resolve("latest");
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (!Files.exists(latest)) {
                if (!child.isAlive()) {
                    fail("the child run ended (exit " + child.exitValue() + ") before its first checkpoint:\n"
                            + Files.readString(childLog));
                }
                if (System.nanoTime() > deadline) {
                    fail("no checkpoint after 5 minutes:\n" + Files.readString(childLog));
                }
                Thread.sleep(20);
            }
            // a random moment after the first checkpoint (mid-step, mid-evaluation or mid-checkpoint, as it
            // falls), but no later than the checkpoint at iteration 4, so that the run is surely unfinished
            long delayMs = new java.util.Random().nextInt(6000);
            long killAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMs);
            while (System.nanoTime() < killAt && Files.readString(latest).trim().compareTo("iter_00000004") < 0) {
                Thread.sleep(5);
            }
            child.destroyForcibly(); // SIGKILL: no shutdown hooks, no finally blocks
            System.err.println(
                    "  [train] killed the child run " + delayMs + " ms (at most) after its first checkpoint");
            assertThat(child.waitFor(1, TimeUnit.MINUTES)).isTrue();
        } finally {
            child.destroyForcibly();
        }
        assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);
        assertThat(RunManifest.read(dir).get("status").asText()).isEqualTo(RunManifest.RUNNING);
        long from = JSON.readTree(
                        new Checkpoints(dir, 10).latest().resolve("state.json").toFile())
                .get("iteration")
                .asLong();
        assertThat(from).as("the kill came before the run ended").isBetween(1L, (long) TOTAL_ITERS - 1);

        Set<Path> before = new HashSet<>(eventFiles(dir));
        TinyTraining.Outcome resumed = run(trainArgs(dir, List.of(), "--resume"));
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertThat(resumed.err()).contains("resumed from").contains("at iteration " + from);

        List<Path> added =
                eventFiles(dir).stream().filter(p -> !before.contains(p)).toList();
        assertThat(added).hasSize(1);
        Map<String, Map<Long, Float>> afterResume = losses(added.get(0));
        Map<String, Map<Long, Float>> uninterrupted =
                losses(eventFiles(reference).get(0));
        for (String tag : List.of("train/loss_cls", "train/loss_bbox", "train/lr")) {
            assertThat(afterResume.get(tag).keySet()).as(tag).containsExactlyElementsOf(steps(from, TOTAL_ITERS));
            afterResume
                    .get(tag)
                    .forEach((step, v) -> assertThat(v)
                            .as("%s at step %d (resumed from %d)", tag, step, from)
                            .isEqualTo(uninterrupted.get(tag).get(step)));
        }
        for (String file : List.of("model.safetensors", "optimizer.safetensors", "state.json")) {
            assertThat(Files.readAllBytes(checkpoint(dir, TOTAL_ITERS).resolve(file)))
                    .as(file + " resumed from " + from)
                    .isEqualTo(Files.readAllBytes(
                            checkpoint(reference, TOTAL_ITERS).resolve(file)));
        }
        JsonNode manifest = RunManifest.read(dir);
        assertThat(manifest.get("status").asText()).isEqualTo(RunManifest.FINISHED);
        assertThat(manifest.get("resumedAt")).hasSize(1);
        assertThat(JSON.readTree(dir.resolve("metrics.json").toFile()))
                .isEqualTo(JSON.readTree(reference.resolve("metrics.json").toFile()));
    }

    @Test
    void stopRequestCheckpointsAtTheNextIterationAndResumeEndsLikeAnUninterruptedRun() throws Exception {
        Path dir = tmp.resolve("stopped");
        Registry registry = Registry.create(List.of());
        Experiment experiment = Experiment.load(TinyTraining.PRESET, TinyTraining.SETTINGS, registry);
        // the manifest records every iteration here (logInterval 1): stop once iteration 5 is done, a
        // position that is neither a checkpoint interval's (2, 4, 6) nor an epoch's end (3, 6)
        StopRequest afterThree = () -> {
            try {
                return Files.exists(dir.resolve("manifest.json"))
                                && RunManifest.read(dir).path("iteration").asLong() >= 5
                        ? "a test"
                        : null;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        TrainingRun run = new TrainingRun(
                registry,
                experiment,
                dir,
                new TrainingRun.Options(false, null, null, 1, Progress.Mode.QUIET, TensorBoardLog::new, afterThree));
        assertThatThrownBy(run::run)
                .isInstanceOf(TrainingStoppedException.class)
                .hasMessageContaining("stopped by a test at iteration 5")
                .hasMessageContaining("--resume");
        assertThat(new Checkpoints(dir, 10).latest()).isEqualTo(checkpoint(dir, 5));
        JsonNode manifest = RunManifest.read(dir);
        assertThat(manifest.get("status").asText()).isEqualTo(RunManifest.STOPPED);
        assertThat(manifest.get("iteration").asLong()).isEqualTo(5);
        assertThat(sessionEnds(EventFileReader.read(eventFiles(dir).get(0))))
                .as("a stopped run's session goes on")
                .isEmpty();

        TinyTraining.Outcome resumed = run(trainArgs(dir, List.of(), "--resume"));
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertThat(resumed.err()).contains("resumed from").contains("at iteration 5");
        Map<String, Map<Long, Float>> afterResume = losses(eventFiles(dir).get(1));
        Map<String, Map<Long, Float>> uninterrupted =
                losses(eventFiles(reference).get(0));
        for (String tag : LOSS_TAGS) {
            assertThat(afterResume.get(tag).keySet()).as(tag).containsExactlyElementsOf(steps(5, TOTAL_ITERS));
            afterResume
                    .get(tag)
                    .forEach((step, v) -> assertThat(v)
                            .as("%s at %d", tag, step)
                            .isEqualTo(uninterrupted.get(tag).get(step)));
        }
        for (String file : List.of("model.safetensors", "optimizer.safetensors", "state.json")) {
            assertThat(Files.readAllBytes(checkpoint(dir, TOTAL_ITERS).resolve(file)))
                    .as(file)
                    .isEqualTo(Files.readAllBytes(
                            checkpoint(reference, TOTAL_ITERS).resolve(file)));
        }
        assertThat(RunManifest.read(dir).get("status").asText()).isEqualTo(RunManifest.FINISHED);
    }

    @Test
    void sigtermCheckpointsAndExits75AndASecondTrainerIsRefusedMeanwhile() throws Exception {
        Path dir = tmp.resolve("sigterm");
        Files.createDirectories(dir);
        Path childLog = tmp.resolve("sigterm-child.log");
        Process child = startChildTraining(dir, childLog);
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (!Files.exists(dir.resolve("checkpoints").resolve("latest"))) {
                if (!child.isAlive()) {
                    fail("the child run ended (exit " + child.exitValue() + ") early:\n" + Files.readString(childLog));
                }
                if (System.nanoTime() > deadline) {
                    fail("no checkpoint after 5 minutes:\n" + Files.readString(childLog));
                }
                Thread.sleep(5);
            }
            // frozen, the child holds its lock and cannot finish: a second trainer must be refused
            signal("STOP", child);
            TinyTraining.Outcome second = run(trainArgs(dir, List.of(), "--resume"));
            assertThat(second.exitCode()).as(second.err()).isEqualTo(2);
            assertThat(second.err())
                    .contains("is in use by another training process")
                    .contains(child.pid() + "@");
            signal("TERM", child);
            signal("CONT", child);
            assertThat(child.waitFor(2, TimeUnit.MINUTES)).isTrue();
        } finally {
            child.destroyForcibly();
        }
        String log = Files.readString(childLog);
        assertThat(child.exitValue()).as(log).isEqualTo(StopSignal.EXIT_CODE);
        assertThat(log).contains("SIGTERM received: stopping after this iteration with a checkpoint");
        JsonNode manifest = RunManifest.read(dir);
        assertThat(manifest.get("status").asText()).isEqualTo(RunManifest.STOPPED);
        long at = manifest.get("iteration").asLong();
        assertThat(new Checkpoints(dir, 10).latest()).isEqualTo(checkpoint(dir, at));
        assertThat(at).isBetween(2L, (long) TOTAL_ITERS - 1);

        TinyTraining.Outcome resumed = run(trainArgs(dir, List.of(), "--resume"));
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        for (String file : List.of("model.safetensors", "optimizer.safetensors", "state.json")) {
            assertThat(Files.readAllBytes(checkpoint(dir, TOTAL_ITERS).resolve(file)))
                    .as(file + " stopped at " + at)
                    .isEqualTo(Files.readAllBytes(
                            checkpoint(reference, TOTAL_ITERS).resolve(file)));
        }
    }

    @Test
    void resumeWithoutAnyCheckpointSaysSoAndStartsFromTheBeginning() {
        TinyTraining.Outcome r = run(trainArgs(tmp.resolve("fresh"), List.of(), "--resume", "--max-iters", "1"));
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err())
                .contains("--resume: no checkpoint in " + tmp.resolve("fresh") + " yet; starting from the beginning");
    }

    /** Without --resume, a run directory that holds results is left as it is, with one clear error. */
    @Test
    void aFreshStartIntoADirectoryWithAFinishedRunIsRefusedAndChangesNothing() throws Exception {
        Path dir = tmp.resolve("finished");
        copyRun(reference, dir);
        Map<String, byte[]> before = snapshot(dir);

        TinyTraining.Outcome r = run(trainArgs(dir, List.of()));

        assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
        assertThat(r.err())
                .contains("run directory " + dir + " already holds a run (checkpoint checkpoints/iter_0000000"
                        + TOTAL_ITERS)
                .contains("--resume continues it");
        Map<String, byte[]> after = snapshot(dir);
        assertThat(after.keySet()).isEqualTo(before.keySet());
        before.forEach((file, content) -> assertThat(after.get(file)).as(file).isEqualTo(content));
    }

    @Test
    void deterministicRunsSetLibtorchsSwitchesRecordThemAndPutThemBack() throws Exception {
        var context = org.retinanet.experiments.engine.TorchContext.get();
        boolean before = context.deterministicAlgorithms();
        Path dir = tmp.resolve("deterministic");
        TinyTraining.Outcome r = run(trainArgs(dir, List.of("train.deterministic=true"), "--max-iters", "1"));
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode determinism = RunManifest.read(dir).at("/environment/engine/determinism");
        assertThat(determinism.get("deterministicAlgorithms").asBoolean()).isTrue();
        assertThat(determinism.get("cudnnDeterministic").asBoolean()).isTrue();
        assertThat(determinism.get("cudnnBenchmark").asBoolean()).isFalse();
        assertThat(context.deterministicAlgorithms())
                .as("put back after the run")
                .isEqualTo(before);
        JsonNode plain = RunManifest.read(reference).at("/environment/engine/determinism");
        assertThat(plain.get("deterministicAlgorithms").asBoolean()).isFalse();

        // the rest of the run record
        JsonNode manifest = RunManifest.read(dir);
        JsonNode environment = manifest.get("environment");
        assertThat(environment.get("overrides").toString())
                .contains("train.deterministic=true", "data.train.dataset.numImages=6");
        assertThat(environment.get("commandLine").get(0).asText()).isEqualTo("retinanet");
        assertThat(environment.at("/java/version").asText()).isEqualTo(System.getProperty("java.runtime.version"));
        assertThat(environment.at("/os/arch").asText()).isEqualTo(System.getProperty("os.arch"));
        assertThat(environment.at("/cpu/isa").isArray()).isTrue();
        assertThat(environment.at("/engine/convolutions").asText()).isIn("onednn", "native");
        assertThat(environment.get("plugins").size()).isGreaterThanOrEqualTo(5);
        assertThat(manifest.at("/trainDataset/images").asInt()).isEqualTo(6);
        assertThat(manifest.at("/trainDataset/categories").asInt()).isEqualTo(4);
    }

    /**
     * The tiny run in a JVM of its own, output to {@code log}. It inherits this JVM's environment
     * (oneDNN settings included), so its numbers are the in-process reference run's.
     */
    private static Process startChildTraining(Path dir, Path log) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-Xmx2g",
                "-Dai.djl.offline=true",
                "-cp",
                System.getProperty("java.class.path"),
                "org.retinanet.cli.Main"));
        command.addAll(trainArgs(dir, List.of()));
        ProcessBuilder pb =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("THP_MEM_ALLOC_ENABLE", "1");
        pb.environment().put("OPT_OUT_TRACKING", "true");
        return pb.start();
    }

    private static void signal(String name, Process process) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid()))
                .inheritIO()
                .start();
        assertThat(kill.waitFor()).as("kill -" + name).isZero();
    }

    @Test
    void dataParallelRunResumesExactlyAndRefusesAnotherDeviceCount() throws Exception {
        // two host replicas of one image each: the reference's total batch of 2, and so its data order
        List<String> perDevice = List.of("data.train.batchSize=1");
        Path whole = tmp.resolve("parallel");
        TinyTraining.Outcome r = run(trainArgs(whole, perDevice, "--gpus", "2"));
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(RunManifest.read(whole).get("device").asText()).isEqualTo("cpu(),cpu()");

        Path cut = tmp.resolve("parallel-cut");
        assertThat(run(trainArgs(cut, perDevice, "--gpus", "2", "--max-iters", "2"))
                        .exitCode())
                .isZero();
        TinyTraining.Outcome other = run(trainArgs(cut, perDevice, "--resume"));
        assertThat(other.exitCode()).isEqualTo(2);
        assertThat(other.err())
                .contains("total batch of 2")
                .contains("this run has 1")
                .contains("--gpus");
        TinyTraining.Outcome resumed = run(trainArgs(cut, perDevice, "--gpus", "2", "--resume"));
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();

        Map<String, Map<Long, Float>> a = losses(eventFiles(whole).get(0));
        Map<String, Map<Long, Float>> b = losses(eventFiles(cut).get(1));
        Map<String, Map<Long, Float>> ref = losses(eventFiles(reference).get(0));
        for (String tag : LOSS_TAGS) {
            assertThat(a.get(tag).keySet()).as(tag).containsExactlyElementsOf(steps(0, TOTAL_ITERS));
            assertThat(b.get(tag))
                    .as(tag)
                    .isEqualTo(a.get(tag).entrySet().stream()
                            .filter(x -> x.getKey() > 2)
                            .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
            // per-replica normalisation: not the single-device run of the same images
            assertThat(a.get(tag)).as(tag).isNotEqualTo(ref.get(tag));
        }
        assertThat(a.get("train/lr")).isEqualTo(ref.get("train/lr"));
        assertThat(Files.readAllBytes(checkpoint(cut, TOTAL_ITERS).resolve("model.safetensors")))
                .isEqualTo(Files.readAllBytes(checkpoint(whole, TOTAL_ITERS).resolve("model.safetensors")));
    }

    @Test
    void nonFiniteLossStopsWithACleanFailure() throws Exception {
        Path dir = tmp.resolve("nan");
        TinyTraining.Outcome r = run(trainArgs(
                dir,
                List.of(
                        "train.lr=1e6",
                        "train.warmupIters=0",
                        "train.gradClipNorm=null",
                        "train.checkpointInterval=1")));
        assertThat(r.exitCode()).as(r.err()).isEqualTo(1);
        List<String> errors =
                r.err().lines().filter(l -> l.startsWith("error:")).toList();
        assertThat(errors).hasSize(1);
        String error = errors.get(0);
        // names the loss component, or the parameters whose gradients went bad
        assertThat(error)
                .containsPattern(
                        "non-finite (loss_cls|loss_bbox|gradient \\(in [1-9]\\d* parameters, first: [a-z]\\w*\\."
                                + "|gradient norm \\(.*largest \\|gradient\\| \\S+ in [a-z]\\w*\\.)")
                .containsPattern("at iteration \\d+")
                .contains("learning rate")
                .contains("warmup");
        long failedAt = Long.parseLong(error.replaceAll(".*at iteration (\\d+).*", "$1"));

        JsonNode manifest = RunManifest.read(dir);
        assertThat(manifest.get("status").asText()).isEqualTo(RunManifest.FAILED);
        assertThat(manifest.get("error").asText()).isEqualTo(error.substring("error: ".length()));
        assertThat(manifest.get("endTime")).isNotNull();

        // the last good checkpoint: named in the message, before the failing iteration, loadable, finite
        Checkpoints checkpoints = new Checkpoints(dir, 10);
        Path last = checkpoints.latest();
        if (failedAt == 1) {
            assertThat(last).isNull();
            assertThat(error).contains("no checkpoint was written yet");
        } else {
            assertThat(last).isEqualTo(checkpoint(dir, failedAt - 1));
            assertThat(error).contains("the last good checkpoint is " + last);
            try (NDManager m = NDManager.newBaseManager()) {
                Checkpoints.Loaded loaded = checkpoints.load(last, m);
                assertThat(loaded.state().iteration()).isEqualTo(failedAt - 1);
                assertThat(loaded.model()).isNotEmpty();
                for (Map.Entry<String, NDArray> e : loaded.model().entrySet()) {
                    assertThat(e.getValue().isNaN().any().getBoolean())
                            .as(e.getKey())
                            .isFalse();
                }
            }
        }
        EventFile events = EventFileReader.read(eventFiles(dir).get(0));
        assertThat(sessionEnds(events)).containsExactly(SessionStatus.FAILURE);
    }

    @Test
    void corruptLatestCheckpointOnResumeIsOneClearErrorAndTouchesNothing() throws Exception {
        for (String damage : List.of("truncated", "garbled header")) {
            Path dir = tmp.resolve("corrupt-" + damage.replace(' ', '-'));
            copyRun(reference, dir);
            Path model = checkpoint(dir, TOTAL_ITERS).resolve("model.safetensors");
            byte[] bytes = Files.readAllBytes(model);
            if (damage.equals("truncated")) {
                Files.write(model, java.util.Arrays.copyOf(bytes, bytes.length / 2));
            } else {
                // the 8-byte header length and the start of the JSON header
                for (int i = 0; i < 24; i++) {
                    bytes[i] = (byte) 0xA7;
                }
                Files.write(model, bytes);
            }
            Map<String, byte[]> before = snapshot(dir.resolve("checkpoints"));

            TinyTraining.Outcome r = run(trainArgs(dir, List.of(), "--resume"));

            assertThat(r.exitCode()).as("%s: %s", damage, r.err()).isEqualTo(2);
            List<String> errors =
                    r.err().lines().filter(l -> l.startsWith("error:")).toList();
            assertThat(errors).as(damage).hasSize(1);
            assertThat(errors.get(0)).as(damage).contains(model.toString());
            Map<String, byte[]> after = snapshot(dir.resolve("checkpoints"));
            assertThat(after.keySet()).as(damage).isEqualTo(before.keySet());
            before.forEach((file, content) ->
                    assertThat(after.get(file)).as("%s: %s", damage, file).isEqualTo(content));
            assertThat(RunManifest.read(dir).get("status").asText()).isEqualTo(RunManifest.FAILED);
        }
    }

    private static void copyRun(Path from, Path to) throws Exception {
        for (Map.Entry<String, byte[]> e : snapshot(from).entrySet()) {
            if (e.getKey().contains("tfevents")) {
                continue;
            }
            Path target = to.resolve(e.getKey());
            Files.createDirectories(target.getParent());
            Files.write(target, e.getValue());
        }
    }

    @Test
    void eventFilesHoldScalarsImagesHistogramsAndHparams() throws Exception {
        List<Path> files = eventFiles(reference);
        assertThat(files).hasSize(1);
        EventFile events = EventFileReader.read(files.get(0));
        assertThat(events.truncated()).isFalse();

        for (String tag : List.of(
                "train/loss_cls",
                "train/loss_bbox",
                "train/loss",
                "train/lr",
                "train/grad_norm",
                "train/images_per_sec",
                "train/data_time")) {
            assertThat(events.scalars(tag).keySet()).as(tag).containsExactlyElementsOf(steps(0, TOTAL_ITERS));
        }
        Map<Long, Float> cls = scalars(files.get(0), "train/loss_cls");
        Map<Long, Float> box = scalars(files.get(0), "train/loss_bbox");
        Map<Long, Float> total = scalars(files.get(0), "train/loss");
        Map<Long, Float> lr = scalars(files.get(0), "train/lr");
        // lr at step s is the schedule's value for iteration s - 1 of its epoch (lr 0.01, warmup 4, decay at epoch 1)
        LrSchedule schedule = new LrSchedule(0.01, 4, 0.001, List.of(1), 0.1);
        for (long s = 1; s <= TOTAL_ITERS; s++) {
            assertThat(total.get(s)).isCloseTo(cls.get(s) + box.get(s), within(1e-5f));
            assertThat(lr.get(s)).as("lr at step %d", s).isEqualTo((float)
                    schedule.lr(s - 1, (int) ((s - 1) / TinyTraining.ITERS_PER_EPOCH)));
            assertThat(events.scalars("train/grad_norm").get(s)).isPositive();
        }
        assertThat(lr.get(3L)).isGreaterThan(lr.get(4L)); // the decay at epoch 1 beats the warmup

        // evaluation after epoch 1 (evalInterval 1) and at the end
        List<Long> evalSteps = List.of((long) TinyTraining.ITERS_PER_EPOCH, (long) TOTAL_ITERS);
        for (String metric :
                List.of("AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl")) {
            assertThat(events.scalars("val/" + metric).keySet()).as(metric).containsExactlyElementsOf(evalSteps);
        }
        for (String name : List.of("rectangle", "ellipse", "triangle", "cross")) {
            assertThat(events.scalars("val_class/" + name).keySet()).as(name).containsExactlyElementsOf(evalSteps);
        }
        List<EventFileReader.TaggedValue> images = events.values("val/detections");
        assertThat(images).extracting(EventFileReader.TaggedValue::step).containsExactlyElementsOf(evalSteps);
        BufferedImage image = images.get(1).value().image().decode();
        assertThat(image.getWidth())
                .isEqualTo(images.get(1).value().image().width())
                .isPositive();

        List<EventFileReader.TaggedValue> negatives = events.values("train/scores_neg");
        assertThat(negatives).extracting(EventFileReader.TaggedValue::step).containsExactly(1L);
        assertThat(negatives.get(0).value().histogram().num()).isPositive();

        List<HParamsData> starts = events.events().stream()
                .flatMap(e -> e.values().stream())
                .map(EventFileReader.SummaryValue::hparams)
                .filter(h -> h != null && h.sessionStart() != null)
                .toList();
        assertThat(starts).hasSize(1);
        Map<String, Object> hparams = starts.get(0).sessionStart().hparams();
        assertThat(hparams)
                .containsEntry("train.lr", 0.01)
                .containsEntry("train.warmupIters", 4.0)
                .containsEntry("model.neck.outChannels", 32.0)
                .containsEntry("model.backbone.depth", 18.0);
        assertThat(hparams.get("seed")).isIn(0.0, 0L, 0);
        assertThat(sessionEnds(events)).containsExactly(SessionStatus.SUCCESS);

        JsonNode manifest = RunManifest.read(reference);
        assertThat(manifest.get("status").asText()).isEqualTo(RunManifest.FINISHED);
        assertThat(manifest.get("iteration").asLong()).isEqualTo(TOTAL_ITERS);
        assertThat(manifest.get("pytorchVersion").asText()).isEqualTo("2.7.1");
        for (String field :
                List.of("platformVersion", "djlVersion", "gitCommit", "seed", "device", "startTime", "endTime")) {
            assertThat(manifest.has(field)).as(field).isTrue();
        }
    }

    private static List<SessionStatus> sessionEnds(EventFile events) {
        return events.events().stream()
                .flatMap(e -> e.values().stream())
                .map(EventFileReader.SummaryValue::hparams)
                .filter(h -> h != null && h.sessionEnd() != null)
                .map(h -> h.sessionEnd().status())
                .toList();
    }

    @Test
    void metricsAndDetectionsAreWrittenAndReadable() throws Exception {
        JsonNode metrics = JSON.readTree(reference.resolve("metrics.json").toFile());
        assertThat(metrics.get("iteration").asLong()).isEqualTo(TOTAL_ITERS);
        assertThat(metrics.get("metrics").size()).isEqualTo(12);
        assertThat(metrics.get("perClassAP").size()).isEqualTo(4);
        Map<Long, Float> ap = scalars(eventFiles(reference).get(0), "val/AP");
        assertThat(metrics.get("metrics").get("AP").asDouble()).isCloseTo(ap.get((long) TOTAL_ITERS), within(1e-6));

        JsonNode results = JSON.readTree(reference.resolve("detections.json").toFile());
        assertThat(results.isArray()).isTrue();
        for (JsonNode d : results) {
            assertThat(d.get("image_id").canConvertToLong()).isTrue();
            assertThat(d.get("category_id").asLong()).isBetween(1L, 4L);
            assertThat(d.get("bbox")).hasSize(4);
            assertThat(d.get("score").asDouble()).isBetween(0.0, 1.0);
        }
        List<Category> categories = List.of(
                new Category(0, 1, "rectangle"),
                new Category(1, 2, "ellipse"),
                new Category(2, 3, "triangle"),
                new Category(3, 4, "cross"));
        List<Detection> read = CocoResultsJson.read(reference.resolve("detections.json"), categories);
        assertThat(read).hasSize(results.size());
    }

    @Test
    void trainConfigDefaultsAreMmdetections() {
        TrainConfig d = TrainConfig.defaults();
        assertThat(d.lr()).isEqualTo(0.01);
        assertThat(d.momentum()).isEqualTo(0.9);
        assertThat(d.weightDecay()).isEqualTo(1e-4);
        assertThat(d.steps()).containsExactly(8, 11);
        assertThat(d.gradClipNorm()).isNull();
    }
}
