package org.retinanet.experiments.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.retinanet.experiments.run.RunDirectory;

/**
 * {@code manifest.json} of a run: versions (platform, DJL, PyTorch), git commit, seed, device,
 * start/end times, status ({@code running}, {@code finished}, {@code failed}, {@code stopped}),
 * and the position and last training loss (for {@code grid --status}). Rewritten
 * atomically at every change so that a killed run still has a readable manifest.
 */
public final class RunManifest {

    public static final String RUNNING = RunDirectory.RUNNING;
    public static final String FINISHED = RunDirectory.FINISHED;
    public static final String FAILED = RunDirectory.FAILED;
    public static final String STOPPED = RunDirectory.STOPPED;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path file;
    private final ObjectNode node;

    private RunManifest(Path file, ObjectNode node) {
        this.file = file;
        this.node = node;
    }

    /** Starts (or, on resume, continues) the manifest of the run in {@code runDir}. */
    public static RunManifest start(Path runDir, String name, long seed, String device, String platformVersion)
            throws IOException {
        Path file = runDir.resolve("manifest.json");
        ObjectNode node = Files.exists(file) ? (ObjectNode) JSON.readTree(file.toFile()) : JSON.createObjectNode();
        if (!node.has("startTime")) {
            node.put("startTime", Instant.now().toString());
        } else {
            node.withArray("resumedAt").add(Instant.now().toString());
        }
        node.put("name", name);
        node.put("platformVersion", platformVersion);
        node.put("djlVersion", ai.djl.engine.Engine.getDjlVersion());
        node.put("engine", ai.djl.engine.Engine.getInstance().getEngineName());
        node.put("pytorchVersion", ai.djl.engine.Engine.getInstance().getVersion());
        node.put("gitCommit", gitCommit());
        node.put("seed", seed);
        node.put("device", device);
        node.put("status", RUNNING);
        node.remove("error");
        node.remove("endTime");
        RunManifest m = new RunManifest(file, node);
        m.write();
        return m;
    }

    public static ObjectNode read(Path runDir) throws IOException {
        return (ObjectNode) JSON.readTree(runDir.resolve("manifest.json").toFile());
    }

    public void progress(long iteration, int epoch) throws IOException {
        node.put("iteration", iteration);
        node.put("epoch", epoch);
        write();
    }

    /** Sets a top-level field (the run record: environment, datasets) and writes the manifest. */
    public void record(String field, com.fasterxml.jackson.databind.JsonNode value) throws IOException {
        node.set(field, value);
        write();
    }

    /** The position and the last step's training loss. */
    public void progress(long iteration, int epoch, double loss) throws IOException {
        node.put("loss", loss);
        progress(iteration, epoch);
    }

    public void finish(String status, String error, double trainSeconds) throws IOException {
        node.put("status", status);
        node.put("endTime", Instant.now().toString());
        node.put("trainSeconds", trainSeconds);
        if (error != null) {
            node.put("error", error);
        }
        write();
    }

    public ObjectNode node() {
        return node;
    }

    private void write() throws IOException {
        Path tmp = file.resolveSibling(".manifest.json.tmp");
        Files.write(tmp, JSON.writeValueAsBytes(node));
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static String gitCommit() {
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "HEAD")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0 && out.matches("[0-9a-f]{40}")) {
                return out;
            }
        } catch (IOException | InterruptedException e) {
            // not a git checkout (a copied jar): recorded as unknown
        }
        return "unknown";
    }
}
