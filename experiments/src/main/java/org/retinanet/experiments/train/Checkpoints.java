package org.retinanet.experiments.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.retinanet.api.registry.UserException;

/**
 * Checkpoints of a run: {@code checkpoints/iter_NNNNNNN/} holds {@code model.safetensors} (every
 * parameter and running statistic, mmdetection key names), {@code optimizer.safetensors}
 * (momentum buffers), {@code state.json} (position in the run) and, when a training hook keeps
 * state (an EMA of the weights, say), {@code hooks.safetensors}. A checkpoint directory is
 * written under a temporary name and renamed into place, and {@code latest} is replaced
 * atomically after it, so a process killed at any moment leaves the previous checkpoint loadable.
 */
public final class Checkpoints {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LATEST = "latest";
    private static final String HOOKS = "hooks.safetensors";

    private final Path dir;
    private final int keep;

    public Checkpoints(Path runDir, int keep) {
        this.dir = runDir.resolve("checkpoints");
        this.keep = Math.max(1, keep);
    }

    public Path directory() {
        return dir;
    }

    /** Where a run stands; everything needed, with the weights, to continue it exactly. */
    public record State(long iteration, int epoch, int batchInEpoch, Map<String, Object> extra) {}

    /** A checkpoint read back: its tensors live in the manager given to {@link #load}. */
    public record Loaded(
            Path path,
            State state,
            Map<String, NDArray> model,
            Map<String, NDArray> optimizer,
            Map<String, NDArray> hooks) {}

    public Path save(State state, Map<String, NDArray> model, Map<String, NDArray> optimizer) throws IOException {
        return save(state, model, optimizer, Map.of());
    }

    public Path save(
            State state, Map<String, NDArray> model, Map<String, NDArray> optimizer, Map<String, NDArray> hooks)
            throws IOException {
        Files.createDirectories(dir);
        String name = String.format("iter_%08d", state.iteration());
        Path tmp = dir.resolve(".tmp-" + name);
        deleteTree(tmp);
        Files.createDirectories(tmp);
        writeTensors(model, tmp.resolve("model.safetensors"));
        writeTensors(optimizer, tmp.resolve("optimizer.safetensors"));
        if (!hooks.isEmpty()) {
            writeTensors(hooks, tmp.resolve(HOOKS));
        }
        writeDurably(
                tmp.resolve("state.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(state));
        Path target = dir.resolve(name);
        deleteTree(target);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        Path latestTmp = dir.resolve(".tmp-" + LATEST);
        writeDurably(latestTmp, name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Files.move(latestTmp, dir.resolve(LATEST), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        prune(name);
        return target;
    }

    /** The latest complete checkpoint, or null when the run has none. */
    public Path latest() throws IOException {
        Path pointer = dir.resolve(LATEST);
        if (!Files.exists(pointer)) {
            return null;
        }
        String name = Files.readString(pointer).trim();
        Path p = dir.resolve(name);
        if (name.isEmpty() || !Files.isDirectory(p)) {
            throw new UserException("checkpoint pointer " + pointer + " names '" + name + "', which does not exist;"
                    + " complete checkpoints: " + list());
        }
        return p;
    }

    /** Complete checkpoints, oldest first. */
    public List<Path> list() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("iter_") && Files.isDirectory(p))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .toList();
        }
    }

    /** Only the position of a checkpoint (cheap: no tensors); damage is one clear error naming the file. */
    public State state(Path checkpoint) {
        Path file = checkpoint.resolve("state.json");
        try {
            return JSON.readValue(file.toFile(), State.class);
        } catch (IOException | RuntimeException e) {
            throw damaged(checkpoint, file, e);
        }
    }

    /** Reads a checkpoint; any damage is one clear error naming the file, and nothing is changed on disk. */
    public Loaded load(Path checkpoint, NDManager manager) {
        State state = state(checkpoint);
        Path file = checkpoint.resolve("model.safetensors");
        try {
            Map<String, NDArray> model = readTensors(file, manager);
            file = checkpoint.resolve("optimizer.safetensors");
            Map<String, NDArray> optimizer = readTensors(file, manager);
            file = checkpoint.resolve(HOOKS);
            Map<String, NDArray> hooks = Files.exists(file) ? readTensors(file, manager) : Map.of();
            return new Loaded(checkpoint, state, model, optimizer, hooks);
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            // a damaged safetensors header can announce absurd sizes: that is damage too, not a crash
            throw damaged(checkpoint, file, e);
        }
    }

    private UserException damaged(Path checkpoint, Path file, Throwable e) {
        if (e instanceof NoSuchFileException missing) {
            return new UserException("checkpoint " + checkpoint + " is incomplete: " + missing.getFile() + " is missing"
                    + "; other checkpoints are untouched: " + safeList());
        }
        String why = e.getMessage() == null
                ? ""
                : ": " + e.getMessage().lines().findFirst().orElse("");
        return new UserException(
                "checkpoint file " + file + " is corrupt (" + e.getClass().getSimpleName() + why
                        + "); other checkpoints are untouched: " + safeList(),
                e);
    }

    private String safeList() {
        try {
            return list().stream().map(p -> p.getFileName().toString()).toList().toString();
        } catch (IOException e) {
            return "(cannot list)";
        }
    }

    static void writeTensors(Map<String, NDArray> tensors, Path file) throws IOException {
        NDList list = new NDList();
        // host copies of GPU tensors belong to this manager, so a checkpoint leaks nothing
        try (NDManager copies = NDManager.newBaseManager(ai.djl.Device.cpu());
                FileChannel ch = FileChannel.open(
                        file,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE);
                OutputStream out = new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(ch), 1 << 20)) {
            for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
                NDArray a = e.getValue();
                if (!a.getDevice().equals(ai.djl.Device.cpu())) {
                    a = a.toDevice(ai.djl.Device.cpu(), true);
                    a.attach(copies);
                }
                a.setName(e.getKey());
                list.add(a);
            }
            list.encode(out, NDList.Encoding.SAFETENSORS);
            out.flush();
            ch.force(true);
        }
    }

    static Map<String, NDArray> readTensors(Path file, NDManager manager) throws IOException {
        Map<String, NDArray> out = new LinkedHashMap<>();
        try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file))) {
            for (NDArray a : NDList.decode(manager, in)) {
                out.put(a.getName(), a);
            }
        }
        return out;
    }

    private static void writeDurably(Path file, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(
                file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(bytes));
            ch.force(true);
        }
    }

    private void prune(String newest) throws IOException {
        List<Path> all = new ArrayList<>(list());
        all.removeIf(p -> p.getFileName().toString().equals(newest));
        while (all.size() > keep - 1) {
            deleteTree(all.remove(0));
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
