package org.retinanet.experiments.grid;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.retinanet.api.registry.UserException;
import org.retinanet.experiments.grid.slurm.SlurmClient;
import org.retinanet.experiments.grid.slurm.SlurmExecutor;
import org.retinanet.experiments.run.RunDirectory;

/**
 * {@code grid --status}: every cell of a grid work directory with where it stands, read from its
 * run directory (status, iteration, last loss, AP, failure reason) and, for a Slurm grid, the
 * state of its latest task.
 */
public final class GridStatus {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** Slurm states in which a task ended without finishing its cell on its own account. */
    private static final Set<String> SLURM_FAILURES = Set.of(
            "FAILED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "CANCELLED", "BOOT_FAIL", "DEADLINE", "PREEMPTED");

    /** One cell's row. {@code slurm} is null for a local grid. */
    public record Row(
            String cell, String status, Long iteration, Double loss, Double ap, String slurm, String reason) {}

    private final Path workDir;
    private final SlurmClient slurm;

    public GridStatus(Path workDir, SlurmClient slurm) {
        this.workDir = workDir;
        this.slurm = slurm;
    }

    public List<Row> rows() throws IOException {
        Path index = workDir.resolve("grid.json");
        if (!Files.exists(index)) {
            throw new UserException("grid --status: " + workDir + " has no grid.json; it is not a grid work directory"
                    + " (or the grid was never run or submitted)");
        }
        JsonNode grid = JSON.readTree(index.toFile());
        SlurmExecutor executor = new SlurmExecutor(workDir, null, List.of(), slurm);
        Map<String, SlurmExecutor.TaskInfo> tasks = Map.of();
        if (!executor.submissions().isEmpty()) {
            try {
                tasks = executor.taskStates();
            } catch (UserException e) {
                // the run directories still say where each cell stands
                System.err.println("retinanet: without Slurm's view of the tasks: " + e.getMessage());
                Map<String, SlurmExecutor.TaskInfo> known = new java.util.LinkedHashMap<>();
                executor.latestTasks()
                        .forEach((cell, task) -> known.put(
                                cell,
                                new SlurmExecutor.TaskInfo(
                                        task,
                                        null,
                                        executor.slurmDir().resolve("logs").resolve(task + ".out"))));
                tasks = known;
            }
        }
        List<Row> rows = new ArrayList<>();
        for (JsonNode c : grid.path("cells")) {
            String name = c.path("name").asText();
            RunDirectory.State state = new RunDirectory(workDir.resolve(name)).state();
            SlurmExecutor.TaskInfo task = tasks.get(name);
            String slurmText = null;
            String reason = state.finished() ? null : state.error();
            if (task != null) {
                slurmText = task.task() + " " + (task.state() == null ? "(state unknown to Slurm now)" : task.state());
                if (!state.finished()
                        && task.state() != null
                        && SLURM_FAILURES.contains(task.state().state())) {
                    reason = "Slurm: " + task.state() + (reason == null ? "" : "; " + reason) + " (batch log "
                            + task.log() + ")";
                }
            } else if (!tasks.isEmpty()) {
                slurmText = "not submitted";
            }
            rows.add(new Row(name, state.status(), state.iteration(), state.loss(), state.ap(), slurmText, reason));
        }
        return rows;
    }

    public void print(PrintStream out, boolean json) throws IOException {
        List<Row> rows = rows();
        if (json) {
            out.println(JSON.writeValueAsString(rows));
            return;
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        rows.forEach(r -> counts.merge(r.status(), 1, Integer::sum));
        out.println("grid " + workDir.toAbsolutePath() + ": " + rows.size() + " cells ("
                + String.join(
                        ", ",
                        counts.entrySet().stream()
                                .map(e -> e.getValue() + " " + e.getKey())
                                .toList()) + ")");
        boolean withSlurm = rows.stream().anyMatch(r -> r.slurm() != null);
        List<String[]> table = new ArrayList<>();
        table.add(
                withSlurm
                        ? new String[] {"cell", "slurm", "status", "iter", "loss", "AP", "reason"}
                        : new String[] {"cell", "status", "iter", "loss", "AP", "reason"});
        for (Row r : rows) {
            List<String> cols = new ArrayList<>(List.of(r.cell()));
            if (withSlurm) {
                cols.add(r.slurm() == null ? "-" : r.slurm());
            }
            cols.add(r.status());
            cols.add(r.iteration() == null ? "-" : r.iteration().toString());
            cols.add(r.loss() == null ? "-" : String.format("%.4f", r.loss()));
            cols.add(r.ap() == null ? "-" : String.format("%.3f", r.ap()));
            cols.add(r.reason() == null ? "" : r.reason());
            table.add(cols.toArray(String[]::new));
        }
        int[] widths = new int[table.get(0).length];
        for (String[] row : table) {
            for (int i = 0; i < row.length - 1; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : table) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(i < row.length - 1 ? String.format("%-" + widths[i] + "s  ", row[i]) : row[i]);
            }
            out.println(line.toString().stripTrailing());
        }
    }
}
