package org.retinanet.experiments.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.retinanet.api.registry.UserException;

/**
 * The layout of one run's directory, the hand-off between {@code train}, {@code grid} (either
 * executor) and {@code report}, and the lock that keeps two processes from training in it at once.
 *
 * <pre>
 * config.yaml  manifest.json  metrics.json  detections.json  train.log  events.out.tfevents.*
 * checkpoints/iter_NNNNNNNN/  checkpoints/latest  .lock
 * </pre>
 */
public final class RunDirectory {

    public static final String RUNNING = "running";
    public static final String FINISHED = "finished";
    public static final String FAILED = "failed";
    /** Stopped on a signal after writing a checkpoint; {@code --resume} continues it. */
    public static final String STOPPED = "stopped";
    /** The manifest says running, but no process holds the run's lock: killed, out of memory, node lost. */
    public static final String INTERRUPTED = "interrupted";

    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Lock files this process holds. POSIX drops all of a process's locks on a file when it closes
     * any descriptor of it, so this process must not probe its own locks through the file.
     */
    private static final java.util.Set<Path> HELD = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final Path root;

    public RunDirectory(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    public Path config() {
        return root.resolve("config.yaml");
    }

    public Path manifest() {
        return root.resolve("manifest.json");
    }

    public Path metrics() {
        return root.resolve("metrics.json");
    }

    public Path detections() {
        return root.resolve("detections.json");
    }

    public Path trainLog() {
        return root.resolve("train.log");
    }

    public Path checkpoints() {
        return root.resolve("checkpoints");
    }

    public Path latestPointer() {
        return checkpoints().resolve("latest");
    }

    private Path lockFile() {
        return root.resolve(".lock");
    }

    private Path lockKey() {
        return lockFile().toAbsolutePath().normalize();
    }

    /**
     * Takes the run's lock for this process, or fails with one line naming the holder. The operating
     * system releases it when the process ends, however it ends.
     */
    public Lock lock() throws IOException {
        Files.createDirectories(root);
        if (HELD.contains(lockKey())) {
            throw new UserException("run directory " + root + " is in use by another training run in this process");
        }
        FileChannel channel = FileChannel.open(
                lockFile(), StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
        // a status probe holds the lock for microseconds: try for a moment before giving up
        for (int attempt = 0; attempt < 50; attempt++) {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            } catch (IOException e) {
                // a file system without locks (some NFS mounts): run unguarded rather than not at all
                System.err.println("retinanet: warning: cannot lock " + lockFile() + " (" + e.getMessage()
                        + "); nothing stops a second process from training in this directory");
                return new Lock(channel, null, null);
            }
            if (lock != null) {
                channel.truncate(0);
                channel.write(java.nio.ByteBuffer.wrap(holder().getBytes(StandardCharsets.UTF_8)), 0);
                HELD.add(lockKey());
                return new Lock(channel, lock, lockKey());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        String holder = Files.readString(lockFile()).trim();
        channel.close();
        throw new UserException("run directory " + root + " is in use by another training process"
                + (holder.isEmpty() ? "" : " (" + holder + ")") + "; wait for it to end or stop it first");
    }

    /** Whether a process holds the run's lock now. */
    public boolean inUse() {
        if (HELD.contains(lockKey())) {
            return true;
        }
        if (!Files.exists(lockFile())) {
            return false;
        }
        try (FileChannel channel = FileChannel.open(lockFile(), StandardOpenOption.READ)) {
            FileLock probe = channel.tryLock(0, Long.MAX_VALUE, true);
            if (probe == null) {
                return true;
            }
            probe.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Where the run stands, read from its files (never from log text). */
    public State state() {
        if (!Files.exists(manifest())) {
            return new State(Files.isDirectory(root) && inUse() ? RUNNING : "new", null, null, null, null);
        }
        JsonNode m;
        try {
            m = JSON.readTree(manifest().toFile());
        } catch (IOException e) {
            return new State("unreadable", null, null, null, "manifest.json: " + e.getMessage());
        }
        String status = m.path("status").asText("unknown");
        String error = m.hasNonNull("error") ? m.get("error").asText() : null;
        if (status.equals(RUNNING) && !inUse()) {
            status = INTERRUPTED;
            error = "the process ended without recording why (killed, out of memory, or its node was lost); see "
                    + trainLog();
        }
        Long iteration = m.has("iteration") ? m.get("iteration").asLong() : null;
        Double loss = m.has("loss") ? m.get("loss").asDouble() : null;
        Double ap = null;
        if (Files.exists(metrics())) {
            try {
                JsonNode ms = JSON.readTree(metrics().toFile()).at("/metrics/AP");
                ap = ms.isNumber() ? ms.asDouble() : null;
            } catch (IOException e) {
                error = "metrics.json: " + e.getMessage();
            }
        }
        return new State(status, iteration, loss, ap, error);
    }

    /** A run's state: status, position, last training loss, final AP, and why it failed. */
    public record State(String status, Long iteration, Double loss, Double ap, String error) {

        public boolean finished() {
            return FINISHED.equals(status);
        }
    }

    /** The run's lock, held until closed or until the process ends. */
    public static final class Lock implements AutoCloseable {
        private final FileChannel channel;
        private final FileLock lock;
        private final Path key;

        private Lock(FileChannel channel, FileLock lock, Path key) {
            this.channel = channel;
            this.lock = lock;
            this.key = key;
        }

        @Override
        public void close() throws IOException {
            try {
                if (lock != null) {
                    lock.release();
                }
                channel.close();
            } finally {
                if (key != null) {
                    HELD.remove(key);
                }
            }
        }
    }

    private static String holder() {
        // "pid@host" on HotSpot
        return "process " + ManagementFactory.getRuntimeMXBean().getName() + ", " + java.time.Instant.now();
    }
}
