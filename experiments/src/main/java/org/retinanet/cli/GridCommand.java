package org.retinanet.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.retinanet.experiments.grid.GridRunner;
import org.retinanet.experiments.grid.GridSpec;
import org.retinanet.experiments.report.ReportBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code retinanet grid}: an ablation grid, one JVM per cell, then the report. */
@Command(name = "grid", mixinStandardHelpOptions = true,
        description = "Run an ablation grid (one process per cell; re-running skips finished cells and resumes the rest), then write the report.")
final class GridCommand implements Callable<Integer> {

    @ParentCommand
    RootCommand root;

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "GRID",
            description = "Grid file, or a built-in grid (demo, demo_quick, table1a_shapes ... table1d_coco, published_table).")
    String config;

    @Option(names = "--work-dir", required = true, paramLabel = "DIR", description = "Grid directory (one sub-directory per cell).")
    Path workDir;

    @Option(names = "--jobs", paramLabel = "N", description = "Cells run at once (default 1; one GPU each when GPUs exist).")
    int jobs = 1;

    @Option(names = "--dry-run", description = "List the cells and their resolved differences; run nothing.")
    boolean dryRun;

    @Override
    public Integer call() throws Exception {
        GridSpec spec = Files.exists(Path.of(config)) ? GridSpec.read(Path.of(config)) : GridSpec.builtin(config);
        int gpus = dryRun ? 0 : gpuCount();
        GridRunner runner = new GridRunner(spec, workDir, jobs, root.pluginDirs, root.registry(), gpus);
        if (dryRun) {
            runner.dryRun(System.out);
            return 0;
        }
        List<GridRunner.Outcome> outcomes = runner.run(System.out);
        Path report = new ReportBuilder(workDir).write();
        long failed = outcomes.stream().filter(o -> !o.status().equals("finished")).count();
        System.out.println("report: " + report.toAbsolutePath());
        System.out.println("TensorBoard: tensorboard --logdir " + workDir.toAbsolutePath());
        if (failed > 0) {
            System.out.println(failed + " of " + outcomes.size() + " cells failed; fix the cause and run the same command again to resume them");
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
