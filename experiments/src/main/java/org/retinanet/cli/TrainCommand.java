package org.retinanet.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.retinanet.api.registry.UserException;
import org.retinanet.experiments.config.Experiment;
import org.retinanet.experiments.train.Progress;
import org.retinanet.experiments.train.StopSignal;
import org.retinanet.experiments.train.TensorBoardLog;
import org.retinanet.experiments.train.TrainingFailedException;
import org.retinanet.experiments.train.TrainingRun;
import org.retinanet.experiments.train.TrainingStoppedException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code retinanet train}: one training run in a work directory. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = {
            "Train a detector; checkpoints, TensorBoard logs, metrics.json and detections.json go to the work directory.",
            "SIGTERM, SIGUSR1 or Ctrl-C: checkpoint at the next iteration boundary and exit with code 75; --resume continues"
                    + " exactly."
        })
final class TrainCommand implements Callable<Integer> {

    @ParentCommand
    RootCommand root;

    @Mixin
    ConfigOptions configOptions;

    @Option(
            names = "--work-dir",
            paramLabel = "DIR",
            description = "Run directory (default: runs/<config name>, as mmdetection's work_dirs/<config name>).")
    Path workDir;

    @Option(names = "--resume", description = "Continue from the latest checkpoint in the work directory.")
    boolean resume;

    @Option(
            names = "--max-iters",
            paramLabel = "N",
            description = "Stop after N iterations (smoke tests, quick looks).")
    Long maxIters;

    @Mixin
    DeviceOption deviceOption;

    @Option(
            names = "--gpus",
            paramLabel = "N",
            description = {
                "Data-parallel training on N GPUs from --device's index on; the config's batch size is per GPU.",
                "With --device cpu: N replicas on the host, the same arithmetic as N GPUs (for checking)."
            })
    int gpus = 1;

    @Option(names = "--progress", paramLabel = "MODE", description = "auto, bar, lines or quiet (default: auto).")
    Progress.Mode progress = Progress.Mode.AUTO;

    @Spec
    CommandSpec spec;

    /** {@code retinanet ...} as typed, for the run record. */
    private List<String> commandLine() {
        List<String> out = new ArrayList<>(List.of("retinanet"));
        out.addAll(spec.root().commandLine().getParseResult().originalArgs());
        return out;
    }

    @Override
    public Integer call() throws Exception {
        if (maxIters != null && maxIters <= 0) {
            throw new UserException("--max-iters must be positive, got " + maxIters);
        }
        var registry = root.registry();
        Experiment experiment = configOptions.load(registry);
        Path workDir = this.workDir != null ? this.workDir : Path.of("runs", configOptions.name());
        TrainingRun run = new TrainingRun(
                registry,
                experiment,
                workDir,
                new TrainingRun.Options(
                        resume,
                        maxIters,
                        deviceOption.device,
                        gpus,
                        progress,
                        TensorBoardLog::new,
                        StopSignal.install(),
                        commandLine()));
        try {
            TrainingRun.Result result = run.run();
            System.out.println(
                    "finished " + result.iterations() + " iterations; run directory: " + workDir.toAbsolutePath());
            if (result.evaluation() != null) {
                System.out.println(result.evaluation().summary());
            }
            System.out.println("TensorBoard: tensorboard --logdir " + workDir.toAbsolutePath());
            return 0;
        } catch (TrainingFailedException e) {
            System.err.println("error: " + e.getMessage());
            return 1;
        } catch (TrainingStoppedException e) {
            System.err.println("retinanet: " + e.getMessage());
            return StopSignal.EXIT_CODE;
        }
    }
}
