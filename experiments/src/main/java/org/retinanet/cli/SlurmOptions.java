package org.retinanet.cli;

import java.util.ArrayList;
import java.util.List;
import org.retinanet.experiments.grid.slurm.SlurmSettings;
import picocli.CommandLine.Option;

/** {@code grid}'s Slurm settings on the command line; each one given wins over the grid file's {@code executor:}. */
final class SlurmOptions {

    @Option(names = "--partition", paramLabel = "P", description = "slurm: --partition.")
    String partition;

    @Option(names = "--account", paramLabel = "A", description = "slurm: --account.")
    String account;

    @Option(names = "--qos", paramLabel = "Q", description = "slurm: --qos.")
    String qos;

    @Option(names = "--time", paramLabel = "T", description = "slurm: time limit per task (--time), e.g. 1-00:00:00.")
    String time;

    @Option(
            names = "--gpus-per-task",
            paramLabel = "N",
            description = "slurm: GPUs per cell (--gres=gpu:N); N > 1 trains data-parallel.")
    Integer gpusPerTask;

    @Option(
            names = "--cpus-per-task",
            paramLabel = "N",
            description = "slurm: CPUs per cell; also its libtorch threads.")
    Integer cpusPerTask;

    @Option(names = "--mem", paramLabel = "M", description = "slurm: memory per cell (--mem), e.g. 32G.")
    String mem;

    @Option(
            names = "--max-concurrent",
            paramLabel = "K",
            description = "slurm: tasks running at once (--array=...%%K).")
    Integer maxConcurrent;

    @Option(
            names = "--signal-seconds",
            paramLabel = "S",
            description = "slurm: warn a task S seconds before its time"
                    + " limit; it checkpoints and requeues itself (default 120).")
    Integer signalSeconds;

    @Option(
            names = "--sbatch-arg",
            paramLabel = "ARG",
            description = "slurm: a further sbatch argument, verbatim (repeatable).")
    List<String> sbatchArgs = new ArrayList<>();

    @Option(
            names = "--launcher",
            paramLabel = "CMD",
            description = "slurm: the command that starts the platform on the"
                    + " nodes (default: this JVM and class path), e.g. /shared/retinanet/retinanet.")
    String launcher;

    /** The settings given here; null where the grid file (or Slurm) decides. */
    SlurmSettings settings() {
        return new SlurmSettings(
                partition,
                account,
                qos,
                time,
                gpusPerTask,
                cpusPerTask,
                mem,
                maxConcurrent,
                signalSeconds,
                sbatchArgs,
                List.of(),
                launcher);
    }
}
