package org.retinanet.experiments.grid.slurm;

import java.util.List;
import org.retinanet.api.registry.UserException;

/**
 * How the cells of a grid are submitted to Slurm. Null means "the cluster's default" (or the
 * platform's, where it has one); see the README's "Running a grid on a Slurm cluster".
 *
 * @param partition {@code --partition}
 * @param account {@code --account}
 * @param qos {@code --qos}
 * @param time {@code --time} per task (a requeued task starts its time again)
 * @param gpusPerTask GPUs per cell ({@code --gres=gpu:N}); more than one trains data-parallel ({@code train --gpus N})
 * @param cpusPerTask {@code --cpus-per-task}; also the cell's libtorch threads
 * @param mem {@code --mem} per task, for example {@code 32G}
 * @param maxConcurrent tasks running at once, the {@code %K} of {@code --array}
 * @param signalSeconds how long before the time limit Slurm warns the task (SIGUSR1), so that it checkpoints and requeues itself
 * @param sbatchArgs further {@code sbatch} arguments, verbatim (for example {@code --constraint=a100})
 * @param setup shell lines run on the node before the platform starts (for example {@code module load java/17})
 * @param launcher the command that starts the platform on the nodes (default: this JVM and class path)
 */
public record SlurmSettings(
        String partition,
        String account,
        String qos,
        String time,
        Integer gpusPerTask,
        Integer cpusPerTask,
        String mem,
        Integer maxConcurrent,
        Integer signalSeconds,
        List<String> sbatchArgs,
        List<String> setup,
        String launcher) {

    public static final SlurmSettings EMPTY =
            new SlurmSettings(null, null, null, null, null, null, null, null, null, null, null, null);

    public static final List<String> KEYS = List.of(
            "partition",
            "account",
            "qos",
            "time",
            "gpusPerTask",
            "cpusPerTask",
            "mem",
            "maxConcurrent",
            "signalSeconds",
            "sbatchArgs",
            "setup",
            "launcher");

    public SlurmSettings {
        sbatchArgs = sbatchArgs == null ? List.of() : List.copyOf(sbatchArgs);
        setup = setup == null ? List.of() : List.copyOf(setup);
        positive("gpusPerTask", gpusPerTask, 0);
        positive("cpusPerTask", cpusPerTask, 1);
        positive("maxConcurrent", maxConcurrent, 1);
        positive("signalSeconds", signalSeconds, 1);
        for (String s : new String[] {partition, account, qos, time, mem}) {
            if (s != null
                    && (s.isBlank() || s.chars().anyMatch(c -> Character.isWhitespace(c) || c == '\'' || c == '"'))) {
                throw new UserException("executor: '" + s + "' is not a valid Slurm value (no spaces or quotes)");
            }
        }
    }

    private static void positive(String key, Integer value, int min) {
        if (value != null && value < min) {
            throw new UserException("executor: " + key + " must be at least " + min + ", got " + value);
        }
    }

    /** Seconds of warning before the time limit: 120 unless set. */
    public int warningSeconds() {
        return signalSeconds == null ? 120 : signalSeconds;
    }

    public int gpus() {
        return gpusPerTask == null ? 0 : gpusPerTask;
    }

    /** These settings with {@code other}'s non-null values (and non-empty lists) on top. */
    public SlurmSettings overriddenBy(SlurmSettings other) {
        if (other == null) {
            return this;
        }
        return new SlurmSettings(
                pick(other.partition, partition),
                pick(other.account, account),
                pick(other.qos, qos),
                pick(other.time, time),
                pick(other.gpusPerTask, gpusPerTask),
                pick(other.cpusPerTask, cpusPerTask),
                pick(other.mem, mem),
                pick(other.maxConcurrent, maxConcurrent),
                pick(other.signalSeconds, signalSeconds),
                other.sbatchArgs.isEmpty() ? sbatchArgs : other.sbatchArgs,
                other.setup.isEmpty() ? setup : other.setup,
                pick(other.launcher, launcher));
    }

    private static <T> T pick(T preferred, T fallback) {
        return preferred != null ? preferred : fallback;
    }
}
