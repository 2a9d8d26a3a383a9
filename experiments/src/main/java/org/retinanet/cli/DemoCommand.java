package org.retinanet.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.retinanet.experiments.grid.GridRunner;
import org.retinanet.experiments.grid.GridSpec;
import org.retinanet.experiments.report.ReportBuilder;
import org.retinanet.experiments.run.RunDirectory;
import org.retinanet.experiments.train.StopSignal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code retinanet demo}: the README's first command. Trains the same ResNet-18-FPN RetinaNet on
 * the sparse shapes benchmark (the paper's 1:1000 imbalance regime) with focal loss, CE,
 * alpha-balanced CE and OHEM, three seeds each, evaluates each, and writes TensorBoard logs and the
 * report (mean +- std, significance against focal loss). No download, no GPU needed.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description =
                "Focal loss vs CE vs alpha-CE vs OHEM, three seeds each, on the sparse shapes benchmark (fg:bg over 1:1000):"
                        + " a small ablation grid with report and TensorBoard logs.")
final class DemoCommand implements Callable<Integer> {

    @ParentCommand
    RootCommand root;

    @Option(
            names = "--quick",
            description = "Fewer images and iterations and two seeds: a smoke test, too short to compare the losses.")
    boolean quick;

    @Option(
            names = "--work-dir",
            paramLabel = "DIR",
            description = "Where runs go (default: runs/demo or runs/demo-quick).")
    Path workDir;

    @Override
    public Integer call() throws Exception {
        Path dir = workDir != null ? workDir : Path.of("runs", quick ? "demo-quick" : "demo");
        GridSpec spec = GridSpec.builtin(quick ? "demo_quick" : "demo");
        System.out.println("retinanet demo: " + spec.cells().size() + " cells ("
                + String.join(", ", spec.cells().stream().map(c -> c.name()).toList()) + ") in "
                + dir.toAbsolutePath());
        long t0 = System.nanoTime();
        List<GridRunner.Outcome> outcomes = new GridRunner(
                        spec, dir, 1, root.pluginDirs, root.registry(), GridCommand.gpuCount(), StopSignal.install())
                .run(System.out);
        if (outcomes.stream().anyMatch(o -> o.status().equals(RunDirectory.STOPPED))) {
            System.out.println("stopped; run the same command again to continue where each cell stopped");
            return StopSignal.EXIT_CODE;
        }
        Path report = new ReportBuilder(dir).write();
        System.out.printf("%nfinished in %.1f min%n", (System.nanoTime() - t0) / 6e10);
        // the table, then one sentence per loss: is its difference from focal loss significant?
        System.out.println(Files.readString(report)
                .lines()
                .filter(l -> l.startsWith("|") || l.startsWith("- `"))
                .reduce("", (a, b) -> a + b + "\n"));
        System.out.println(
                "report:      " + report.toAbsolutePath() + " (plots: ap.png, loss.png; table: results.csv)");
        System.out.println("runs:        " + dir.toAbsolutePath()
                + "/<cell>/ (config.yaml, manifest.json, metrics.json, detections.json, checkpoints/)");
        System.out.println("TensorBoard: tensorboard --logdir " + dir.toAbsolutePath());
        return outcomes.stream().allMatch(o -> o.status().equals("finished")) ? 0 : 1;
    }
}
