package org.retinanet.experiments.grid.slurm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.retinanet.api.registry.UserException;

/**
 * Slurm's own commands ({@code sbatch}, {@code squeue}, {@code scontrol}, {@code sacct}), run as
 * processes: what every Slurm user has, whatever the cluster's version or plugins.
 */
public class SlurmClient {

    /** A task's state as Slurm reports it: {@code RUNNING}, {@code COMPLETED}, {@code TIMEOUT}, ... */
    public record TaskState(String state, String reason, String exitCode, String source) {

        public boolean live() {
            return source.equals("squeue");
        }

        @Override
        public String toString() {
            StringBuilder s = new StringBuilder(state);
            if (reason != null && !reason.isEmpty() && !reason.equals("None")) {
                s.append(" (").append(reason).append(')');
            }
            if (exitCode != null && !exitCode.isEmpty() && !exitCode.equals("0:0") && !live()) {
                s.append(" exit ").append(exitCode);
            }
            return s.toString();
        }
    }

    /** The output of a command that exited. */
    record Result(int exitCode, String out) {}

    /** Submits a batch script with extra arguments; returns the job id ({@code --parsable}). */
    public String submit(Path script, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of("sbatch", "--parsable"));
        cmd.addAll(args);
        cmd.add(script.toAbsolutePath().toString());
        Result r = run(cmd);
        String out = r.out().trim();
        String id = out.lines().reduce((a, b) -> b).orElse("").split(";")[0].trim();
        if (r.exitCode() != 0 || !id.matches("\\d+")) {
            throw new UserException("sbatch refused " + script + ": " + oneLine(out));
        }
        return id;
    }

    /**
     * Every task of the given jobs (array job ids) that Slurm still knows, by {@code <array id>_<task>}:
     * queued or running ones from {@code squeue}, ended ones from {@code scontrol} (which forgets them
     * after MinJobAge) and then {@code sacct} (when the cluster keeps accounting).
     */
    public Map<String, TaskState> states(List<String> arrayJobIds) {
        Map<String, TaskState> out = new HashMap<>();
        if (arrayJobIds.isEmpty()) {
            return out;
        }
        Result live = run(List.of("squeue", "-h", "-r", "-u", System.getProperty("user.name"), "-o", "%i|%T|%r"));
        if (live.exitCode() != 0) {
            throw new UserException("squeue failed: " + oneLine(live.out()));
        }
        for (String line : live.out().split("\n")) {
            String[] f = line.trim().split("\\|", -1);
            if (f.length == 3 && arrayJobIds.contains(f[0].split("_")[0])) {
                out.put(f[0], new TaskState(f[1], f[2], null, "squeue"));
            }
        }
        for (String id : arrayJobIds) {
            Result ended = run(List.of("scontrol", "-o", "show", "job", id));
            if (ended.exitCode() != 0) {
                continue; // forgotten (older than MinJobAge)
            }
            for (String line : ended.out().split("\n")) {
                Map<String, String> f = fields(line);
                String task = f.get("ArrayJobId") + "_" + f.get("ArrayTaskId");
                if (f.containsKey("ArrayTaskId") && !f.get("ArrayTaskId").contains("[") && !out.containsKey(task)) {
                    out.put(
                            task,
                            new TaskState(
                                    f.getOrDefault("JobState", "UNKNOWN"),
                                    f.get("Reason"),
                                    f.get("ExitCode"),
                                    "scontrol"));
                }
            }
        }
        Result acct = run(
                List.of("sacct", "-n", "-P", "-X", "-o", "JobID,State,ExitCode", "-j", String.join(",", arrayJobIds)));
        if (acct.exitCode() == 0) {
            for (String line : acct.out().split("\n")) {
                String[] f = line.trim().split("\\|", -1);
                if (f.length == 3 && f[0].matches("\\d+_\\d+") && !out.containsKey(f[0])) {
                    out.put(f[0], new TaskState(f[1].split(" ")[0], null, f[2], "sacct"));
                }
            }
        }
        return out;
    }

    /** {@code Key=Value} pairs of one line of {@code scontrol -o show job}. */
    static Map<String, String> fields(String line) {
        Map<String, String> out = new HashMap<>();
        for (String token : line.trim().split("\\s+")) {
            int eq = token.indexOf('=');
            if (eq > 0) {
                out.putIfAbsent(token.substring(0, eq), token.substring(eq + 1));
            }
        }
        return out;
    }

    Result run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[] bytes = p.getInputStream().readAllBytes();
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new UserException(cmd.get(0) + " did not answer within 2 minutes; is slurmctld reachable?");
            }
            return new Result(p.exitValue(), new String(bytes, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UserException("cannot run " + cmd.get(0) + " (" + e.getMessage()
                    + "); the Slurm executor needs Slurm's commands on the PATH of the machine that submits");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserException(cmd.get(0) + " was interrupted");
        }
    }

    private static String oneLine(String s) {
        return s.trim().replace('\n', ' ');
    }
}
