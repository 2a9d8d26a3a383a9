package org.retinanet.experiments.grid.slurm;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.retinanet.api.registry.UserException;
import org.retinanet.experiments.grid.GridPlan;
import org.retinanet.experiments.run.RunDirectory;

/**
 * The Slurm executor: a grid becomes one job array (task {@code i} trains cell {@code i}, see
 * {@link SlurmScripts}) and a report job that runs after it ({@code --dependency=afterany}).
 * Submitting again submits only the cells that are neither finished nor queued or running, so a
 * cell never has two tasks; {@code slurm/submissions.json} remembers which task trains which cell.
 */
public final class SlurmExecutor {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One {@code sbatch} of the grid: the array, its report job, and the cell each task index trains. */
    public record Submission(String arrayJob, String reportJob, Map<Integer, String> tasks, String submitted) {}

    /** What {@link #submit} did. */
    public record Submitted(Submission submission, List<String> skipped) {}

    private final Path workDir;
    private final SlurmSettings settings;
    private final List<Path> pluginDirs;
    private final SlurmClient slurm;

    public SlurmExecutor(Path workDir, SlurmSettings settings, List<Path> pluginDirs, SlurmClient slurm) {
        this.workDir = workDir.toAbsolutePath();
        this.settings = settings;
        this.pluginDirs = pluginDirs;
        this.slurm = slurm;
    }

    public Path slurmDir() {
        return workDir.resolve("slurm");
    }

    /**
     * Writes the scripts and, unless {@code dryRun}, submits the array for the cells that need it and
     * the report job after it. Returns null when nothing needed submitting (or on a dry run).
     */
    public Submitted submit(GridPlan plan, boolean dryRun, PrintStream out) throws IOException {
        Files.createDirectories(slurmDir().resolve("logs"));
        // two submissions of one grid at once must not both see a cell as unqueued
        try (FileChannel channel = FileChannel.open(
                        slurmDir().resolve(".submit.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = channel.lock()) {
            plan.writeIndex(workDir);
            SlurmScripts scripts = new SlurmScripts(plan, workDir, settings, pluginDirs);
            Path arrayScript = writeScript(SlurmScripts.ARRAY_SCRIPT, scripts.arrayScript());
            Path reportScript = writeScript(SlurmScripts.REPORT_SCRIPT, scripts.reportScript());

            Map<String, String> queued = dryRun ? Map.of() : queuedTasks();
            List<Integer> indices = new ArrayList<>();
            List<String> skipped = new ArrayList<>();
            for (int i = 0; i < plan.cells().size(); i++) {
                GridPlan.Cell cell = plan.cells().get(i);
                RunDirectory run = GridPlan.runDirectory(workDir, cell);
                if (run.state().finished()) {
                    skipped.add(cell.name() + ": finished");
                } else if (queued.containsKey(cell.name())) {
                    skipped.add(cell.name() + ": already " + queued.get(cell.name()));
                } else if (run.inUse()) {
                    skipped.add(cell.name() + ": a process is training it now");
                } else {
                    indices.add(i);
                }
            }
            skipped.forEach(s -> out.println("[" + s.replaceFirst(": ", "] ")));
            List<String> arrayArgs =
                    List.of("--array=" + indices.stream().map(String::valueOf).collect(Collectors.joining(","))
                            + (settings.maxConcurrent() == null ? "" : "%" + settings.maxConcurrent()));
            if (dryRun) {
                out.println("dry run: wrote " + arrayScript + " and " + reportScript);
                out.println("would run: sbatch --parsable " + String.join(" ", arrayArgs) + " " + arrayScript);
                out.println("      then: sbatch --parsable --dependency=afterany:<array id> " + reportScript);
                return null;
            }
            if (indices.isEmpty()) {
                out.println("nothing to submit: every cell is finished, queued or running");
                return new Submitted(null, skipped);
            }
            String arrayJob = slurm.submit(arrayScript, arrayArgs);
            Map<Integer, String> tasks = new TreeMap<>();
            indices.forEach(i -> tasks.put(i, plan.cells().get(i).name()));
            List<Submission> all = new ArrayList<>(submissions());
            // recorded before anything else can fail: a cell with a queued task is never submitted again
            all.add(new Submission(arrayJob, null, tasks, Instant.now().toString()));
            writeAtomically(slurmDir().resolve("submissions.json"), JSON.writeValueAsBytes(all));
            String reportJob = slurm.submit(reportScript, List.of("--dependency=afterany:" + arrayJob));
            Submission submission = new Submission(
                    arrayJob, reportJob, tasks, all.get(all.size() - 1).submitted());
            all.set(all.size() - 1, submission);
            writeAtomically(slurmDir().resolve("submissions.json"), JSON.writeValueAsBytes(all));
            for (Map.Entry<Integer, String> t : tasks.entrySet()) {
                out.println("[" + t.getValue() + "] submitted as task " + arrayJob + "_" + t.getKey());
            }
            out.println("submitted job array " + arrayJob + " (" + indices.size() + " of "
                    + plan.cells().size() + " cells"
                    + (settings.maxConcurrent() == null ? "" : ", at most " + settings.maxConcurrent() + " at once")
                    + ") and report job " + reportJob + " after it");
            return new Submitted(submission, skipped);
        }
    }

    /** Every submission of this work directory, oldest first. */
    public List<Submission> submissions() throws IOException {
        Path file = slurmDir().resolve("submissions.json");
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            return JSON.readValue(file.toFile(), new TypeReference<List<Submission>>() {});
        } catch (IOException e) {
            throw new UserException(
                    file + " is damaged (" + e.getMessage().lines().findFirst().orElse("")
                            + "); it records which Slurm task trains which cell: restore it, or remove it once no task of this"
                            + " grid is queued or running");
        }
    }

    /** Each cell's latest task ({@code <array id>_<index>}), by cell name. */
    public Map<String, String> latestTasks() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (Submission s : submissions()) {
            s.tasks().forEach((i, cell) -> out.put(cell, s.arrayJob() + "_" + i));
        }
        return out;
    }

    /** Each cell's latest task and the state Slurm reports for it (null when Slurm has forgotten it). */
    public Map<String, TaskInfo> taskStates() throws IOException {
        Map<String, String> tasks = latestTasks();
        List<String> arrays =
                submissions().stream().map(Submission::arrayJob).distinct().toList();
        Map<String, SlurmClient.TaskState> states = slurm.states(arrays);
        Map<String, TaskInfo> out = new LinkedHashMap<>();
        tasks.forEach((cell, task) -> out.put(
                cell,
                new TaskInfo(task, states.get(task), slurmDir().resolve("logs").resolve(task + ".out"))));
        return out;
    }

    /** A cell's latest Slurm task, its state, and its batch log. */
    public record TaskInfo(String task, SlurmClient.TaskState state, Path log) {}

    /** Cells with a task (of any submission) that is queued or running, with that task and state. */
    private Map<String, String> queuedTasks() throws IOException {
        List<Submission> all = submissions();
        Map<String, SlurmClient.TaskState> states =
                slurm.states(all.stream().map(Submission::arrayJob).distinct().toList());
        Map<String, String> out = new LinkedHashMap<>();
        for (Submission s : all) {
            s.tasks().forEach((i, cell) -> {
                SlurmClient.TaskState state = states.get(s.arrayJob() + "_" + i);
                if (state != null && state.live()) {
                    out.put(cell, state.state().toLowerCase() + " as task " + s.arrayJob() + "_" + i);
                }
            });
        }
        return out;
    }

    private Path writeScript(String name, String text) throws IOException {
        Path file = slurmDir().resolve(name);
        writeAtomically(file, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        file.toFile().setExecutable(true);
        return file;
    }

    private static void writeAtomically(Path file, byte[] bytes) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
