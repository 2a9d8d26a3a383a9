package org.retinanet.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.retinanet.api.registry.UserException;
import org.retinanet.experiments.grid.ExecutorSettings;
import org.retinanet.experiments.grid.GridPlan;
import org.retinanet.experiments.grid.GridRunner;
import org.retinanet.experiments.grid.GridSpec;
import org.retinanet.experiments.grid.GridStatus;
import org.retinanet.experiments.grid.slurm.SlurmClient;
import org.retinanet.experiments.grid.slurm.SlurmExecutor;
import org.retinanet.experiments.grid.slurm.SlurmSettings;
import org.retinanet.experiments.report.ReportBuilder;
import org.retinanet.experiments.run.RunDirectory;
import org.retinanet.experiments.train.StopSignal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code retinanet grid}: an ablation grid, one JVM per cell here or one Slurm array task per cell, then the report. */
@Command(
        name = "grid",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Run an ablation grid: one process per cell here (--executor local), or one Slurm job array with a"
                    + " report job after it (--executor slurm). Running or submitting again skips finished cells and resumes"
                    + " the rest; a cell never runs twice at once.",
            "SIGTERM or Ctrl-C on a local grid: every running cell checkpoints and stops (exit 75); run again to resume."
        })
final class GridCommand implements Callable<Integer> {

    @ParentCommand
    RootCommand root;

    @Option(
            names = {"-c", "--config"},
            paramLabel = "GRID",
            description =
                    "Grid file, or a built-in grid (demo, demo_quick, table1a_shapes ... table1d_coco, published_table).")
    String config;

    @Option(
            names = "--work-dir",
            required = true,
            paramLabel = "DIR",
            description = "Grid directory (one sub-directory per cell); on a cluster, on a filesystem every node sees.")
    Path workDir;

    @Option(
            names = "--status",
            description = "Show every cell of the work directory: status, iteration, last loss, AP,"
                    + " failure reason and, for a Slurm grid, its task's state. Needs no --config.")
    boolean status;

    @Option(names = "--json", description = "With --status: print the rows as JSON.")
    boolean json;

    @Option(
            names = "--dry-run",
            description = "List the cells (local) or write the batch scripts (slurm); run nothing.")
    boolean dryRun;

    @Option(
            names = "--executor",
            paramLabel = "local|slurm",
            description = "Where cells run (default: the grid file's" + " executor: section, else local).")
    String executor;

    @Option(
            names = "--jobs",
            paramLabel = "N",
            description = "local: cells run at once (default 1; one GPU each when GPUs exist).")
    Integer jobs;

    @Mixin
    SlurmOptions slurmOptions;

    @Override
    public Integer call() throws Exception {
        if (status) {
            new GridStatus(workDir, new SlurmClient()).print(System.out, json);
            return 0;
        }
        if (config == null) {
            throw new UserException("grid: --config is required (only --status works without it)");
        }
        if (Files.exists(workDir) && !Files.isDirectory(workDir)) {
            throw new UserException("grid: --work-dir " + workDir + " is a file, not a directory");
        }
        GridSpec spec = Files.exists(Path.of(config)) ? GridSpec.read(Path.of(config)) : GridSpec.builtin(config);
        ExecutorSettings settings = spec.executor().overriddenBy(executor, jobs, slurmOptions.settings());
        if (settings.type().equals(ExecutorSettings.SLURM)) {
            return submit(spec, settings.slurm());
        }
        return runLocally(spec, settings.jobs() == null ? 1 : settings.jobs());
    }

    private int submit(GridSpec spec, SlurmSettings slurm) throws Exception {
        GridPlan plan = GridPlan.resolve(spec, root.registry());
        SlurmExecutor executor = new SlurmExecutor(workDir, slurm, root.pluginDirs, new SlurmClient());
        SlurmExecutor.Submitted submitted = executor.submit(plan, dryRun, System.out);
        if (submitted != null) {
            System.out.println("status: retinanet grid --status --work-dir " + workDir.toAbsolutePath());
        }
        if (submitted != null && submitted.submission() != null) {
            System.out.println("report: written by job "
                    + submitted.submission().reportJob() + " when the array ends;" + " retinanet report --work-dir "
                    + workDir.toAbsolutePath() + " writes it from what has finished at any time");
        }
        return 0;
    }

    private int runLocally(GridSpec spec, int jobs) throws Exception {
        int gpus = dryRun ? 0 : gpuCount();
        GridRunner runner =
                new GridRunner(spec, workDir, jobs, root.pluginDirs, root.registry(), gpus, StopSignal.install());
        if (dryRun) {
            runner.dryRun(System.out);
            return 0;
        }
        List<GridRunner.Outcome> outcomes = runner.run(System.out);
        Path report = new ReportBuilder(workDir).write();
        System.out.println("report: " + report.toAbsolutePath());
        System.out.println("TensorBoard: tensorboard --logdir " + workDir.toAbsolutePath());
        if (outcomes.stream().anyMatch(o -> o.status().equals(RunDirectory.STOPPED))) {
            System.out.println("stopped; run the same command again to resume the cells that did not finish");
            return StopSignal.EXIT_CODE;
        }
        long failed = outcomes.stream()
                .filter(o -> !o.status().equals(RunDirectory.FINISHED))
                .count();
        if (failed > 0) {
            System.out.println(failed + " of " + outcomes.size()
                    + " cells failed; fix the cause and run the same command again to resume them");
            return 1;
        }
        return 0;
    }

    static int gpuCount() {
        try {
            return ai.djl.engine.Engine.getInstance().getGpuCount();
        } catch (RuntimeException e) {
            return 0;
        }
    }
}
