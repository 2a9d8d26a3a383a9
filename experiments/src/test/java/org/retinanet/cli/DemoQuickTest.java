package org.retinanet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command, end to end: `retinanet demo --quick` trains four cells (focal loss,
 * CE, alpha-CE, OHEM), two seeds each, in their own JVMs on the sparse shapes benchmark, evaluates
 * them and writes the report with mean +- std and a p-value per cell. The focal-loss cells must
 * have learned something.
 */
class DemoQuickTest {

    @TempDir
    Path work;

    @Test
    void demoQuickRunsTheFourCellGridAndReports() throws Exception {
        CliRunner.Result r = CliRunner.run("demo", "--quick", "--work-dir", work.toString());
        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        assertThat(r.out())
                .contains("report:")
                .contains("tensorboard --logdir " + work.toAbsolutePath())
                .contains("- `lossCls=ce`: AP ");
        String report = Files.readString(work.resolve("report.md"));
        for (String cell : new String[] {
            "lossCls=focal,gamma2.0,alpha0.25",
            "lossCls=ce",
            "lossCls=alpha_ce,alpha0.75",
            "lossCls=ohem,batchSize128,nmsIou0.5"
        }) {
            assertThat(report).contains("`" + cell + "`");
            for (String seed : new String[] {"__seed0", "__seed1"}) {
                assertThat(work.resolve(cell + seed).resolve("metrics.json")).exists();
                assertThat(work.resolve(cell + seed).resolve("detections.json")).exists();
            }
        }
        assertThat(report).contains(" 2/2 | ").contains(" +- ").contains("## Against the reference");
        for (String seed : new String[] {"__seed0", "__seed1"}) {
            double focalAp = new ObjectMapper()
                    .readTree(work.resolve("lossCls=focal,gamma2.0,alpha0.25" + seed + "/metrics.json")
                            .toFile())
                    .at("/metrics/AP")
                    .asDouble();
            assertThat(focalAp)
                    .as("focal-loss AP after the quick demo (" + seed + ")")
                    .isGreaterThan(0.0);
        }
        assertThat(work.resolve("ap.png")).isNotEmptyFile();
        assertThat(work.resolve("results.csv")).isNotEmptyFile();
    }
}
