package org.retinanet.experiments.grid;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.retinanet.experiments.tensorboard.EventFileReader;

/**
 * Where two runs of one config part, for a failing exactness test: the first iteration whose
 * logged loss differs, where each run stopped and resumed, the tensors of the final checkpoints
 * that differ, and the engine each run used. Short enough to read in a CI log.
 */
public final class RunDivergence {

    private static final ObjectMapper JSON = new ObjectMapper();

    private RunDivergence() {}

    public static String describe(Path run, Path reference) {
        List<String> out = new ArrayList<>();
        try {
            out.add(firstLossDifference(losses(run), losses(reference)));
            out.add("stops and resumes: " + stopsAndResumes(run));
            out.add("tensors: " + tensorDifferences(latest(run), latest(reference)));
            out.add("engine: " + engine(run) + " | reference: " + engine(reference));
        } catch (IOException | RuntimeException e) {
            out.add("(could not compare further: " + e + ")");
        }
        return String.join("; ", out);
    }

    /** train/loss by iteration over every event file of the run (a resumed run writes one per process). */
    static Map<Long, Float> losses(Path run) throws IOException {
        Map<Long, Float> out = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(run)) {
            files = s.filter(p -> p.getFileName().toString().contains("tfevents"))
                    .sorted()
                    .toList();
        }
        for (Path f : files) {
            out.putAll(EventFileReader.read(f).scalars("train/loss"));
        }
        return out;
    }

    static String firstLossDifference(Map<Long, Float> run, Map<Long, Float> reference) {
        for (Map.Entry<Long, Float> e : reference.entrySet()) {
            Float mine = run.get(e.getKey());
            if (mine == null || Float.floatToRawIntBits(mine) != Float.floatToRawIntBits(e.getValue())) {
                return "losses equal before iteration " + e.getKey() + ", where " + mine + " vs " + e.getValue();
            }
        }
        return "all " + reference.size() + " logged losses equal";
    }

    private static String stopsAndResumes(Path run) throws IOException {
        Path log = run.resolve("train.log");
        if (!Files.exists(log)) {
            return "no train.log";
        }
        return Files.readAllLines(log).stream()
                .filter(l -> l.contains("resumed from") || l.contains("stopped") || l.contains("received"))
                .map(l -> l.replace(run.toString(), "."))
                .toList()
                .toString();
    }

    private static Path latest(Path run) throws IOException {
        Path checkpoints = run.resolve("checkpoints");
        return checkpoints.resolve(
                Files.readString(checkpoints.resolve("latest")).trim());
    }

    /** Names of the tensors whose bytes differ in the two checkpoints' model.safetensors. */
    static String tensorDifferences(Path a, Path b) throws IOException {
        Map<String, byte[]> x = tensors(a.resolve("model.safetensors"));
        Map<String, byte[]> y = tensors(b.resolve("model.safetensors"));
        List<String> differ = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : y.entrySet()) {
            if (!Arrays.equals(e.getValue(), x.get(e.getKey()))) {
                differ.add(e.getKey());
            }
        }
        return differ.size() + " of " + y.size() + " differ"
                + (differ.isEmpty() ? "" : ", first: " + differ.subList(0, Math.min(4, differ.size())));
    }

    private static Map<String, byte[]> tensors(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        long headerLength =
                ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        JsonNode header = JSON.readTree(new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8));
        Map<String, byte[]> out = new TreeMap<>();
        int base = 8 + (int) headerLength;
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            JsonNode offsets = e.getValue().get("data_offsets");
            out.put(
                    e.getKey(),
                    Arrays.copyOfRange(
                            bytes,
                            base + offsets.get(0).asInt(),
                            base + offsets.get(1).asInt()));
        }
        return out;
    }

    private static String engine(Path run) throws IOException {
        JsonNode environment =
                JSON.readTree(run.resolve("manifest.json").toFile()).path("environment");
        JsonNode engine = environment.path("engine");
        return environment.at("/cpu/model").asText("?") + " " + environment.at("/cpu/isa") + ", "
                + engine.path("convolutions").asText("?") + ", threads "
                + engine.path("numThreads").asText("?")
                + ", OMP " + engine.path("OMP_NUM_THREADS").asText("-") + ", ISA cap "
                + engine.path("ONEDNN_MAX_CPU_ISA").asText("none");
    }
}
