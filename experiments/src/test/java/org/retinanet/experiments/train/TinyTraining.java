package org.retinanet.experiments.train;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.retinanet.cli.Main;
import org.retinanet.experiments.tensorboard.EventFileReader;

/**
 * The {@code retinanet_r18_fpn_shapes} preset shrunk to test size (64 px images, 32-channel
 * neck and head, 6 training and 4 validation images, batch 2: 3 iterations per epoch, 2 epochs),
 * run through the real command line, and what the tests read back from a run directory.
 */
final class TinyTraining {

    static final String PRESET = "retinanet_r18_fpn_shapes";

    /** Warmup over 4 iterations and a decay at epoch 1, so both lr mechanisms act within 6 iterations. */
    static final List<String> SETTINGS = List.of(
            "data.train.dataset.numImages=6",
            "data.train.dataset.imageSize=64",
            "data.train.pipeline.scale=[64, 64]",
            "data.train.batchSize=2",
            "data.train.workers=2",
            "data.val.dataset.numImages=4",
            "data.val.dataset.imageSize=64",
            "data.val.pipeline.scale=[64, 64]",
            "data.val.batchSize=4",
            "data.val.workers=1",
            "model.neck.outChannels=32",
            "model.head.featChannels=32",
            "model.inputSize=64",
            "train.epochs=2",
            "train.lr=0.01",
            "train.warmupIters=4",
            "train.steps=[1]",
            "train.checkpointInterval=2",
            "train.evalInterval=1",
            "train.logInterval=1",
            "train.keepCheckpoints=10");

    static final int ITERS_PER_EPOCH = 3;
    static final int TOTAL_ITERS = 6;

    private TinyTraining() {}

    /** {@code train} arguments for {@code workDir}: the tiny settings, then {@code extra} settings and flags. */
    static List<String> trainArgs(Path workDir, List<String> extraSets, String... flags) {
        List<String> args = new ArrayList<>(
                List.of("train", "--config", PRESET, "--work-dir", workDir.toString(), "--progress", "quiet"));
        for (String s : SETTINGS) {
            args.add("--set");
            args.add(s);
        }
        for (String s : extraSets) {
            args.add("--set");
            args.add(s);
        }
        args.addAll(Arrays.asList(flags));
        return args;
    }

    record Outcome(int exitCode, String out, String err) {}

    /** Runs the command line in this JVM, capturing what it prints. */
    static synchronized Outcome run(List<String> args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args.toArray(String[]::new));
            return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
            oldErr.print(err.toString(StandardCharsets.UTF_8)
                    .lines()
                    .filter(l -> l.startsWith("error") || l.startsWith("retinanet: resumed"))
                    .map(l -> "  [train] " + l + "\n")
                    .reduce("", String::concat));
        }
    }

    /** The event files of a run directory, oldest first (a resumed run adds one). */
    static List<Path> eventFiles(Path runDir) throws IOException {
        try (Stream<Path> s = Files.list(runDir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents."))
                    .sorted()
                    .toList();
        }
    }

    /** step to value of a scalar tag in one event file. */
    static Map<Long, Float> scalars(Path eventFile, String tag) throws IOException {
        EventFileReader.EventFile f = EventFileReader.read(eventFile);
        if (f.truncated()) {
            throw new IOException(eventFile + " is truncated at " + f.truncatedAt());
        }
        return new TreeMap<>(f.scalars(tag));
    }

    /** The per-step training losses of one event file: tag to (step to value). */
    static Map<String, Map<Long, Float>> losses(Path eventFile) throws IOException {
        Map<String, Map<Long, Float>> out = new LinkedHashMap<>();
        for (String tag : List.of("train/loss_cls", "train/loss_bbox", "train/loss", "train/lr")) {
            out.put(tag, scalars(eventFile, tag));
        }
        return out;
    }

    /** Every regular file under {@code dir}, relative path to bytes. */
    static Map<String, byte[]> snapshot(Path dir) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                out.put(dir.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return out;
    }

    static Path checkpoint(Path runDir, long iteration) {
        return runDir.resolve("checkpoints").resolve(String.format("iter_%08d", iteration));
    }
}
