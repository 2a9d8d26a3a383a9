package org.retinanet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command, end to end: `retinanet demo --quick` trains four cells (focal loss,
 * CE, alpha-CE, OHEM) in their own JVMs on the synthetic shapes set, evaluates them and writes
 * the report. The focal-loss cell must have learned something.
 */
class DemoQuickTest {

    @TempDir
    Path work;

    @Test
    void demoQuickRunsTheFourCellGridAndReports() throws Exception {
        CliRunner.Result r = CliRunner.run("demo", "--quick", "--work-dir", work.toString());
        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("report:").contains("tensorboard --logdir " + work.toAbsolutePath());
        String report = Files.readString(work.resolve("report.md"));
        for (String cell : new String[] {
            "lossCls=focal,gamma2.0,alpha0.25",
            "lossCls=ce",
            "lossCls=alpha_ce,alpha0.75",
            "lossCls=ohem,batchSize128,nmsIou0.5"
        }) {
            assertThat(report).contains("`" + cell + "`");
            assertThat(work.resolve(cell).resolve("metrics.json")).exists();
            assertThat(work.resolve(cell).resolve("detections.json")).exists();
        }
        double focalAp = new ObjectMapper()
                .readTree(work.resolve("lossCls=focal,gamma2.0,alpha0.25/metrics.json")
                        .toFile())
                .at("/metrics/AP")
                .asDouble();
        assertThat(focalAp).as("focal-loss AP after the quick demo").isGreaterThan(0.05);
        assertThat(work.resolve("ap.png")).isNotEmptyFile();
        assertThat(work.resolve("results.csv")).isNotEmptyFile();
    }
}
