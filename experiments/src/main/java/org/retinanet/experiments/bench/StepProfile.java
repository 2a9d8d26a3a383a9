package org.retinanet.experiments.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the benchmark steps spend their time, from JDK Flight Recorder's method samples of the
 * thread that runs them: every 10 ms a sample of Java code (ExecutionSample) or of a thread inside
 * a native call, i.e. the engine (NativeMethodSample). A sample is charged to a component by the
 * innermost project frame on its stack, which separates what phase timers cannot: target
 * assignment from the loss functions inside the loss phase, and Java code from engine calls.
 * Only samples inside a benchmark step count (warmup steps included).
 */
public final class StepProfile {

    /** Components, in report order; HOST_WORK are those the issue calls Java-side work. */
    public enum Component {
        DATA("data (host batch to tensors)", true),
        BACKBONE("backbone forward", false),
        NECK("neck forward", false),
        HEAD("head forward", false),
        ASSIGNMENT("anchors, target assignment, box coding", true),
        LOSS("loss functions and their assembly", false),
        BACKWARD("backward (autograd)", false),
        OPTIMIZER("optimizer", false),
        POSTPROCESS("post-processing (scores, top-k, decoding, NMS)", true),
        OTHER("other (step bookkeeping)", false);

        final String label;
        final boolean hostWork;

        Component(String label, boolean hostWork) {
            this.label = label;
            this.hostWork = hostWork;
        }
    }

    /**
     * @param samples per component: samples in engine calls and samples in Java code
     * @param javaShare share of all step samples that were running Java code
     * @param hostWorkShare share of data, assignment and post-processing (Java and engine together)
     */
    public record Profile(Map<String, int[]> samples, int total, double javaShare, double hostWorkShare) {

        public String format() {
            StringBuilder sb = new StringBuilder(String.format(
                    "profile (JFR method samples of the benchmark thread, every 10 ms; %d samples in steps):%n",
                    total));
            sb.append(String.format("  %-48s %7s %7s%n", "component", "share", "in Java"));
            samples.forEach((label, c) -> sb.append(String.format(
                    "  %-48s %6.1f%% %6.1f%%%n",
                    label, 100.0 * (c[0] + c[1]) / Math.max(1, total), 100.0 * c[1] / Math.max(1, total))));
            sb.append(String.format(
                    "Java code: %.1f%% of the step samples; data + assignment + post-processing: %.1f%%%n",
                    100 * javaShare, 100 * hostWorkShare));
            return sb.toString();
        }
    }

    /** The result of the profiled work and its profile. */
    public record Profiled<T>(T result, Profile profile) {}

    private StepProfile() {}

    public static <T> Profiled<T> record(Supplier<T> work) throws IOException {
        Path file = Files.createTempFile("retinanet-bench-", ".jfr");
        try {
            T result;
            String thread = Thread.currentThread().getName();
            try (Recording recording = new Recording()) {
                recording
                        .enable("jdk.ExecutionSample")
                        .withPeriod(Duration.ofMillis(10))
                        .withStackTrace();
                recording
                        .enable("jdk.NativeMethodSample")
                        .withPeriod(Duration.ofMillis(10))
                        .withStackTrace();
                recording.start();
                result = work.get();
                recording.stop();
                recording.dump(file);
            }
            return new Profiled<>(result, read(file, thread));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    static Profile read(Path file, String thread) throws IOException {
        Map<Component, int[]> counts = new LinkedHashMap<>();
        for (Component c : Component.values()) {
            counts.put(c, new int[2]);
        }
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            String type = e.getEventType().getName();
            boolean java = type.equals("jdk.ExecutionSample");
            if (!java && !type.equals("jdk.NativeMethodSample")) {
                continue;
            }
            var sampled = e.getThread("sampledThread");
            if (sampled == null || !thread.equals(sampled.getJavaName()) || e.getStackTrace() == null) {
                continue;
            }
            Component c = classify(e.getStackTrace().getFrames());
            if (c != null) {
                counts.get(c)[java ? 1 : 0]++;
            }
        }
        int total = counts.values().stream().mapToInt(c -> c[0] + c[1]).sum();
        int inJava = counts.values().stream().mapToInt(c -> c[1]).sum();
        int host = counts.entrySet().stream()
                .filter(x -> x.getKey().hostWork)
                .mapToInt(x -> x.getValue()[0] + x.getValue()[1])
                .sum();
        Map<String, int[]> byLabel = new LinkedHashMap<>();
        counts.forEach((k, v) -> byLabel.put(k.label, v));
        return new Profile(
                byLabel, total, total == 0 ? 0 : (double) inJava / total, total == 0 ? 0 : (double) host / total);
    }

    /** The component of one stack (innermost frame first), or null outside a benchmark step. */
    static Component classify(List<RecordedFrame> frames) {
        boolean inStep = false;
        for (RecordedFrame f : frames) {
            if (f.getMethod() != null
                    && f.getMethod().getType().getName().equals(DetectorBench.class.getName())
                    && f.getMethod().getName().equals("step")) {
                inStep = true;
                break;
            }
        }
        if (!inStep) {
            return null;
        }
        for (RecordedFrame f : frames) {
            if (f.getMethod() == null) {
                continue;
            }
            String cls = f.getMethod().getType().getName();
            if (!cls.startsWith("org.retinanet.")) {
                continue;
            }
            Component c = component(
                    cls.substring("org.retinanet.".length()), f.getMethod().getName(), frames);
            if (c != null) {
                return c;
            }
        }
        return Component.OTHER;
    }

    private static Component component(String cls, String method, List<RecordedFrame> frames) {
        if (cls.startsWith("heads.postprocess") || within(frames, "detect")) {
            return Component.POSTPROCESS;
        }
        if (cls.startsWith("api.box.modules") || (cls.equals("heads.loss.RetinaLoss") && method.equals("targets"))) {
            return Component.ASSIGNMENT;
        }
        if (cls.startsWith("losses.") || cls.startsWith("heads.loss")) {
            return Component.LOSS;
        }
        if (cls.startsWith("backbones.")) {
            return Component.BACKBONE;
        }
        if (cls.startsWith("necks.")) {
            return Component.NECK;
        }
        if (cls.startsWith("heads.")) {
            return Component.HEAD;
        }
        if (cls.equals("experiments.train.Sgd")) {
            return Component.OPTIMIZER;
        }
        if (cls.startsWith("api.data") || cls.startsWith("datasets.") || cls.endsWith("SyntheticBatches")) {
            return Component.DATA;
        }
        if (cls.endsWith("DetectorBench") && method.equals("step")) {
            return frames.stream()
                            .anyMatch(f -> f.getMethod() != null
                                    && f.getMethod().getName().toLowerCase().contains("backward"))
                    ? Component.BACKWARD
                    : null;
        }
        return null; // shared blocks (api.nn) and the detector: the caller's component decides
    }

    private static boolean within(List<RecordedFrame> frames, String headMethod) {
        for (RecordedFrame f : frames) {
            if (f.getMethod() != null
                    && f.getMethod().getName().equals(headMethod)
                    && f.getMethod().getType().getName().startsWith("org.retinanet.heads.")) {
                return true;
            }
        }
        return false;
    }
}
