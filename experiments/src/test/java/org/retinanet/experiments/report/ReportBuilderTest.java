package org.retinanet.experiments.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.math3.stat.inference.TTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report from fixed run directories: grouping by seed, t-tests, published-row matching. */
class ReportBuilderTest {

    @TempDir
    Path work;

    private void cell(String name, String configYaml, String status, Double ap) throws Exception {
        Path d = work.resolve(name);
        Files.createDirectories(d);
        Files.writeString(d.resolve("config.yaml"), configYaml);
        Files.writeString(
                d.resolve("manifest.json"),
                "{\"status\": \"" + status + "\", \"trainSeconds\": 120.0"
                        + (status.equals("failed") ? ", \"error\": \"non-finite loss_cls at iteration 3\"" : "") + "}");
        if (ap != null) {
            Files.writeString(
                    d.resolve("metrics.json"),
                    "{\"metrics\": {\"AP\": " + ap + ", \"AP50\": " + (ap + 0.2) + ", \"AP75\": " + ap
                            + ", \"APs\": 0.1, \"APm\": 0.2, \"APl\": 0.3}}");
        }
    }

    private void grid(String json) throws Exception {
        Files.writeString(work.resolve("grid.json"), json);
    }

    @Test
    void seedsAreAggregatedAndTestedAgainstTheReference() throws Exception {
        String shapes = "meta: {dataset: shapes}\nmodel: {lossCls: {type: %s}}\nseed: %d\n";
        double[] focal = {0.30, 0.32, 0.31};
        double[] ce = {0.20, 0.25, 0.22};
        StringBuilder cells = new StringBuilder();
        for (int s = 0; s < 3; s++) {
            cell("focal__seed" + s, String.format(shapes, "focal", s), "finished", focal[s]);
            cell("ce__seed" + s, String.format(shapes, "ce", s), "finished", ce[s]);
            cells.append(String.format(
                    "{\"name\": \"focal__seed%d\", \"group\": \"focal\", \"seed\": %d, \"differences\": {\"model.lossCls.type\": \"focal\"}},",
                    s, s));
            cells.append(String.format(
                    "{\"name\": \"ce__seed%d\", \"group\": \"ce\", \"seed\": %d, \"differences\": {\"model.lossCls.type\": \"ce\"}},",
                    s, s));
        }
        cell("ohem__seed0", String.format(shapes, "ohem", 0), "failed", null);
        cells.append(
                "{\"name\": \"ohem__seed0\", \"group\": \"ohem\", \"seed\": 0, \"differences\": {\"model.lossCls.type\": \"ohem\"}}");
        grid("{\"name\": \"t\", \"reference\": \"focal\", \"cells\": [" + cells + "]}");

        Path report = new ReportBuilder(work).write();
        String md = Files.readString(report);
        double p = new TTest().tTest(focal, ce);
        assertThat(md).contains("| `focal` | focal | 3/3 | 0.310 +- 0.010 |");
        assertThat(md).contains("| `ce` | ce | 3/3 | 0.223 +- 0.025 |");
        assertThat(p).isLessThan(0.05);
        assertThat(md).contains(String.format("| %.3g |", p));
        assertThat(md).contains("| ref |");
        assertThat(md)
                .contains(String.format(
                        "- `ce`: AP 0.223 +- 0.025 (3 seeds) vs 0.310 +- 0.010 (3 seeds) for `focal`:"
                                + " difference -0.087, Welch's p = %.3g, significant at the 5%% level.",
                        p))
                .contains("- `ohem`: AP - (0 seeds) vs 0.310 +- 0.010 (3 seeds) for `focal`: not tested");
        assertThat(md).contains("No published number applies");
        assertThat(md).contains("`ohem__seed0`: failed: non-finite loss_cls at iteration 3");
        assertThat(md).contains("![AP per cell](ap.png)");
        assertThat(work.resolve("ap.png")).isNotEmptyFile();
        assertThat(work.resolve("loss.png")).isNotEmptyFile();
        List<String> csv = Files.readAllLines(work.resolve("results.csv"));
        assertThat(csv.get(0))
                .isEqualTo(
                        "group,cell,seed,status,model.lossCls.type,AP,AP50,AP75,APs,APm,APl,train_seconds,published_AP,published_source");
        assertThat(csv).hasSize(1 + 7);
        assertThat(csv.get(1)).startsWith("focal,focal__seed0,0,finished,focal,0.300000,0.500000,");
    }

    @Test
    void overlappingSeedsAreSaidToBeNotSignificant() throws Exception {
        String shapes = "meta: {dataset: shapes}\nmodel: {lossCls: {type: %s}}\nseed: %d\n";
        double[] focal = {0.30, 0.35, 0.32};
        double[] ce = {0.31, 0.29, 0.34};
        StringBuilder cells = new StringBuilder();
        for (int s = 0; s < 3; s++) {
            cell("focal__seed" + s, String.format(shapes, "focal", s), "finished", focal[s]);
            cell("ce__seed" + s, String.format(shapes, "ce", s), "finished", ce[s]);
            cells.append(String.format(
                    "%s{\"name\": \"focal__seed%d\", \"group\": \"focal\", \"seed\": %d, \"differences\": {}},"
                            + "{\"name\": \"ce__seed%d\", \"group\": \"ce\", \"seed\": %d, \"differences\": {}}",
                    s == 0 ? "" : ",", s, s, s, s));
        }
        grid("{\"name\": \"t\", \"reference\": \"focal\", \"cells\": [" + cells + "]}");
        String md = Files.readString(new ReportBuilder(work).write());
        double p = new TTest().tTest(ce, focal);
        assertThat(p).isGreaterThan(0.05);
        assertThat(md).contains("| `ce` | 3/3 | 0.313 +- 0.025 |").contains(String.format("| %.3g (n.s.) |", p));
        assertThat(md)
                .contains(String.format(
                        "- `ce`: AP 0.313 +- 0.025 (3 seeds) vs 0.323 +- 0.025 (3 seeds) for `focal`:"
                                + " difference -0.010, Welch's p = %.3g, not significant at the 5%% level",
                        p));
    }

    @Test
    void cocoCellsMeetTheirPublishedRowsOnlyInTheirSetting() throws Exception {
        String zoo = "data: {val: {pipeline: {scale: [1333, 800]}}}\n";
        String paper600 = "data: {val: {pipeline: {scale: [1000, 600]}}}\n";
        String r50 = "meta: {dataset: coco_val2017, backbone: R-50-FPN, style: pytorch, schedule: 1x}\n"
                + "model: {lossCls: {type: focal, gamma: 2.0, alpha: 0.25}}\n";
        String ce = "meta: {dataset: coco_val2017, backbone: R-50-FPN, style: caffe, schedule: 1x}\n"
                + "model: {lossCls: {type: alpha_ce, alpha: 0.75}}\n";
        cell("fl", r50 + zoo, "finished", 0.361);
        cell("ce800", ce + zoo, "finished", 0.30);
        cell("ce600", ce + paper600, "finished", 0.29);
        cell("ce600_2x", ce.replace("schedule: 1x", "schedule: 2x") + paper600, "finished", 0.33);
        cell("ce600_shapes", ce.replace("coco_val2017", "shapes_sparse") + paper600, "finished", 0.5);
        grid("{\"name\": \"t1\", \"paper\": \"table1a\", \"cells\": ["
                + "{\"name\": \"fl\", \"group\": \"fl\", \"differences\": {}},"
                + "{\"name\": \"ce800\", \"group\": \"ce800\", \"differences\": {}},"
                + "{\"name\": \"ce600\", \"group\": \"ce600\", \"differences\": {}},"
                + "{\"name\": \"ce600_2x\", \"group\": \"ce600_2x\", \"differences\": {}},"
                + "{\"name\": \"ce600_shapes\", \"group\": \"ce600_shapes\", \"differences\": {}}]}");
        String md = Files.readString(new ReportBuilder(work).write());
        List<String> rows = md.lines().filter(l -> l.startsWith("| `")).toList();
        // the zoo's numbers are at 1333 x 800; the paper's Table 1 at 600 px with the 1x schedule
        assertThat(rows.get(0)).endsWith("| n/a | 36.5 (retinanet_r50_fpn_1x_coco) | -0.4 |");
        assertThat(rows.get(1)).endsWith("| n/a | 36.3 (retinanet_r50-caffe_fpn_1x_coco) | -6.3 |");
        assertThat(rows.get(2)).endsWith("| 31.1 | n/a | |");
        assertThat(rows.get(3)).as("another schedule").endsWith("| n/a | n/a | |");
        assertThat(rows.get(4)).as("another dataset").endsWith("| n/a | n/a | |");
        assertThat(md).doesNotContain("No published number applies");
    }

    @Test
    void aShapesTable1GridGetsNoPaperNumber() throws Exception {
        cell(
                "a",
                "meta: {dataset: shapes_sparse, backbone: R-18-FPN, schedule: sparse-shapes-72it}\n"
                        + "model: {lossCls: {type: alpha_ce, alpha: 0.75}}\n",
                "finished",
                0.2);
        grid("{\"name\": \"t1\", \"paper\": \"table1a\", \"cells\": ["
                + "{\"name\": \"a\", \"group\": \"a\", \"differences\": {}}]}");
        String md = Files.readString(new ReportBuilder(work).write());
        assertThat(md).contains("No published number applies").contains("| n/a | n/a | |");
    }

    @Test
    void aCellOnAnotherDatasetIsNotCompared() throws Exception {
        cell("r50", "meta: {dataset: voc, backbone: R-50-FPN, style: pytorch, schedule: 1x}\n", "finished", 0.5);
        String md = Files.readString(new ReportBuilder(work).write());
        assertThat(md).contains("No published number applies").contains("| n/a | |");
    }

    @Test
    void aSettingACellDoesNotHaveIsBlankAndLongNamesGetALegend() throws Exception {
        String name = "lossCls=focal,gamma2.0,alpha0.25_scalesPerOctave=3_ratios=0.5+1.0+2.0_backbone=resnext,depth101";
        cell(name, "meta: {dataset: shapes}\nmodel: {lossCls: {type: focal, gamma: 2.0}}\n", "finished", 0.3);
        cell("ce", "meta: {dataset: shapes}\nmodel: {lossCls: {type: ce}}\n", "finished", 0.2);
        grid(
                "{\"name\": \"t\", \"cells\": ["
                        + "{\"name\": \"" + name + "\", \"group\": \"" + name
                        + "\", \"differences\": {\"model.lossCls.type\": \"focal\", \"model.lossCls.gamma\": 2.0}},"
                        + "{\"name\": \"ce\", \"group\": \"ce\", \"differences\": {\"model.lossCls.type\": \"ce\", \"model.lossCls.gamma\": null}}]}");
        String md = Files.readString(new ReportBuilder(work).write());
        assertThat(md).contains("| `ce` | ce |  | 1/1 |").doesNotContain("null");
        assertThat(Files.readAllLines(work.resolve("results.csv")).get(2)).startsWith("ce,ce,,finished,ce,,0.2");
        // the plot numbers its bars and lists every full name below them
        assertThat(Plots.legend(List.of(name, "ce"))).containsExactly("1  " + name, "2  ce");
        // axis values keep their digits: a grid line at 0.025 is not labelled 0.03
        assertThat(List.of(
                        Plots.tick(0.025),
                        Plots.tick(0.075),
                        Plots.tick(0.1),
                        Plots.tick(0.0),
                        Plots.tick(1.5),
                        Plots.tick(Double.NaN)))
                .containsExactly("0.025", "0.075", "0.1", "0", "1.5", "NaN");
        java.awt.image.BufferedImage png =
                javax.imageio.ImageIO.read(work.resolve("ap.png").toFile());
        assertThat(png.getWidth()).as("wide enough for the longest name").isGreaterThanOrEqualTo(8 * name.length());
    }
}
