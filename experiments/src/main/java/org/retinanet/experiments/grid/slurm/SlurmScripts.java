package org.retinanet.experiments.grid.slurm;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.retinanet.experiments.grid.GridPlan;
import org.retinanet.experiments.train.StopSignal;

/**
 * The batch scripts of a grid: one array script whose task {@code i} trains cell {@code i}, and
 * the report script that runs after the array. They stay in {@code <work-dir>/slurm/}, readable and
 * submittable by hand.
 */
public final class SlurmScripts {

    public static final String ARRAY_SCRIPT = "grid.sbatch";
    public static final String REPORT_SCRIPT = "report.sbatch";

    private final GridPlan plan;
    private final Path workDir;
    private final SlurmSettings settings;
    private final List<Path> pluginDirs;

    public SlurmScripts(GridPlan plan, Path workDir, SlurmSettings settings, List<Path> pluginDirs) {
        this.plan = plan;
        this.workDir = workDir.toAbsolutePath();
        this.settings = settings;
        this.pluginDirs = pluginDirs;
    }

    /** The array script: {@code sbatch --array=<cell indices>%K grid.sbatch}. */
    public String arrayScript() {
        StringBuilder s = new StringBuilder("#!/bin/bash\n");
        s.append("# Grid '")
                .append(plan.spec().name())
                .append("': one Slurm array task per cell; the task id is the cell's index")
                .append(" below.\n");
        s.append("# Written by `retinanet grid --executor slurm` (")
                .append(Instant.now())
                .append(").\n");
        s.append("# `retinanet grid` submits it for the cells that are not finished and not queued:\n");
        s.append("#   sbatch --array=<indices>")
                .append(settings.maxConcurrent() == null ? "" : "%" + settings.maxConcurrent())
                .append(" ")
                .append(workDir.resolve("slurm").resolve(ARRAY_SCRIPT))
                .append('\n');
        s.append("# Each task runs `retinanet train --resume` in its cell's directory, so a requeued or resubmitted\n");
        s.append(
                "# task continues from the cell's latest checkpoint, and a second task for a running cell is refused.\n");
        directive(s, "--job-name=" + jobName());
        directive(s, "--output=" + workDir.resolve("slurm/logs/%A_%a.out"));
        directive(s, "--open-mode=append");
        directive(s, "--requeue");
        directive(s, "--signal=B:USR1@" + settings.warningSeconds());
        common(s);
        if (settings.time() != null) {
            directive(s, "--time=" + settings.time());
        }
        if (settings.gpus() > 0) {
            directive(s, "--gres=gpu:" + settings.gpus());
        }
        if (settings.cpusPerTask() != null) {
            directive(s, "--cpus-per-task=" + settings.cpusPerTask());
        }
        if (settings.mem() != null) {
            directive(s, "--mem=" + settings.mem());
        }
        settings.sbatchArgs().forEach(a -> directive(s, a));
        s.append("set -uo pipefail\n\n");
        s.append("work_dir=").append(quote(workDir.toString())).append('\n');
        s.append("case \"${SLURM_ARRAY_TASK_ID:?submit with --array}\" in\n");
        List<GridPlan.Cell> cells = plan.cells();
        for (int i = 0; i < cells.size(); i++) {
            GridPlan.Cell cell = cells.get(i);
            List<String> args = new ArrayList<>(plan.trainArguments(cell, workDir.resolve(cell.name()), pluginDirs));
            if (settings.gpus() > 0) {
                args.addAll(List.of("--device", "gpu:0"));
                if (settings.gpus() > 1) {
                    args.addAll(List.of("--gpus", String.valueOf(settings.gpus())));
                }
            }
            s.append("  ")
                    .append(i)
                    .append(") cell=")
                    .append(quote(cell.name()))
                    .append("\n     args=(")
                    .append(args.stream().map(SlurmScripts::quote).collect(Collectors.joining(" ")))
                    .append(") ;;\n");
        }
        s.append("  *) echo ")
                .append(quote("grid " + plan.spec().name() + " has no cell"))
                .append(" \"$SLURM_ARRAY_TASK_ID\" >&2; exit 2 ;;\n");
        s.append("esac\n\n");
        environment(s);
        s.append("""
                echo "$(date -Is) task ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID} (job $SLURM_JOB_ID, restart ${SLURM_RESTART_COUNT:-0}) on $(hostname): $cell"
                mkdir -p "$work_dir/$cell"
                "${launcher[@]}" "${args[@]}" >> "$work_dir/$cell/train.log" 2>&1 &
                child=$!
                # The time-limit warning (--signal=B:USR1@s) reaches this shell only: pass it on. The trainer
                # checkpoints at its next iteration boundary, exits %1$d, and this task requeues itself.
                warned=0
                trap 'warned=1; kill -USR1 $child 2>/dev/null' USR1
                # Preemption, scontrol requeue and scancel send SIGTERM; this shell outlives it until the
                # trainer has written its checkpoint (Slurm requeues a preempted or requeued task itself).
                trap 'kill -TERM $child 2>/dev/null' TERM
                # A trapped signal ends `wait` early (status 128+n) while the trainer runs on: wait again. When
                # the trainer ended meanwhile, one more `wait` returns its own status (127: it was reported).
                while :; do
                  wait "$child"; rc=$?
                  kill -0 "$child" 2>/dev/null && continue
                  if [ "$rc" -gt 128 ]; then wait "$child" 2>/dev/null; again=$?; [ "$again" -ne 127 ] && rc=$again; fi
                  break
                done
                echo "$(date -Is) $cell: trainer exited with $rc"
                if [ "$rc" -eq %1$d ] && [ "$warned" -eq 1 ]; then
                  echo "$(date -Is) $cell: stopped before the time limit; requeueing ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}"
                  scontrol requeue "$SLURM_JOB_ID"
                fi
                exit "$rc"
                """.formatted(StopSignal.EXIT_CODE));
        return s.toString();
    }

    /** The report script: {@code sbatch --dependency=afterany:<array id> report.sbatch}. */
    public String reportScript() {
        StringBuilder s = new StringBuilder("#!/bin/bash\n");
        s.append("# Grid '")
                .append(plan.spec().name())
                .append("': report.md and results.csv after the array's tasks ended")
                .append(" (submitted with --dependency=afterany:<array id>).\n");
        directive(s, "--job-name=" + jobName() + "-report");
        directive(s, "--output=" + workDir.resolve("slurm/logs/report_%j.out"));
        common(s);
        directive(s, "--cpus-per-task=1");
        directive(s, "--time=00:30:00");
        if (settings.mem() != null) {
            directive(s, "--mem=" + settings.mem());
        }
        s.append("set -uo pipefail\n\n");
        environment(s);
        s.append("\"${launcher[@]}\" report --work-dir ")
                .append(quote(workDir.toString()))
                .append('\n');
        return s.toString();
    }

    private String jobName() {
        return plan.spec().name().replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private void common(StringBuilder s) {
        if (settings.partition() != null) {
            directive(s, "--partition=" + settings.partition());
        }
        if (settings.account() != null) {
            directive(s, "--account=" + settings.account());
        }
        if (settings.qos() != null) {
            directive(s, "--qos=" + settings.qos());
        }
    }

    private void environment(StringBuilder s) {
        settings.setup().forEach(line -> s.append(line).append('\n'));
        s.append("export OPT_OUT_TRACKING=true\n");
        s.append("export THP_MEM_ALLOC_ENABLE=${THP_MEM_ALLOC_ENABLE:-1}\n");
        s.append("export OMP_NUM_THREADS=${SLURM_CPUS_PER_TASK:-1}\n");
        s.append("launcher=(").append(launcher()).append(")\n");
    }

    /** The user's launcher verbatim (shell words), or this JVM with the task's CPUs as libtorch threads. */
    private String launcher() {
        if (settings.launcher() != null) {
            return settings.launcher();
        }
        return GridPlan.javaCommand("@THREADS@").stream()
                .map(SlurmScripts::quote)
                .map(w -> w.replace("@THREADS@", "'\"${SLURM_CPUS_PER_TASK:-1}\"'"))
                .collect(Collectors.joining(" "));
    }

    private static void directive(StringBuilder s, String arg) {
        s.append("#SBATCH ").append(arg).append('\n');
    }

    /** One shell word, single-quoted. */
    static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
