package org.retinanet.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.retinanet.api.registry.UserException;
import org.retinanet.experiments.grid.GridStatus;
import org.retinanet.experiments.grid.slurm.SlurmClient;
import org.retinanet.experiments.report.ReportBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code retinanet report}: report.md and results.csv for a grid's work directory. */
@Command(
        name = "report",
        mixinStandardHelpOptions = true,
        description =
                "Write report.md (with plots) and results.csv for a grid work directory, beside the published numbers.")
final class ReportCommand implements Callable<Integer> {

    @Option(names = "--work-dir", required = true, paramLabel = "DIR", description = "Grid (or single run) directory.")
    Path workDir;

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(workDir)) {
            throw new UserException("report: " + workDir + " is not a directory");
        }
        Path report = new ReportBuilder(workDir).withReasons(slurmReasons()).write();
        System.out.println("report: " + report.toAbsolutePath());
        System.out.println("results: " + workDir.resolve("results.csv").toAbsolutePath());
        return 0;
    }

    /** For a grid run on Slurm: why its unfinished cells ended, as Slurm saw it (a node lost, a time limit). */
    private Map<String, String> slurmReasons() throws java.io.IOException {
        if (!Files.exists(workDir.resolve("slurm").resolve("submissions.json"))
                || !Files.exists(workDir.resolve("grid.json"))) {
            return Map.of();
        }
        Map<String, String> reasons = new HashMap<>();
        try {
            for (GridStatus.Row row : new GridStatus(workDir, new SlurmClient()).rows()) {
                if (row.reason() != null) {
                    reasons.put(row.cell(), row.reason());
                }
            }
        } catch (UserException e) {
            System.err.println("retinanet: report without Slurm's view of the cells: " + e.getMessage());
        }
        return reasons;
    }
}
