package org.retinanet.experiments.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.retinanet.cli.CliRunner;

/** {@code retinanet bench} end to end on the small shapes detector: it runs and reports every field (no timing assertion). */
class BenchCommandTest {

    @Test
    void trainBenchPrintsTheReportAsJson() throws Exception {
        CliRunner.Result r = CliRunner.run(
                "bench",
                "--steps",
                "2",
                "--warmup",
                "1",
                "--size",
                "64",
                "--config",
                "retinanet_r18_fpn_shapes",
                "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("config").asText()).isEqualTo("retinanet_r18_fpn_shapes");
        assertThat(j.get("mode").asText()).isEqualTo("train");
        assertThat(j.get("height").asInt()).isEqualTo(64);
        assertThat(j.get("batch").asInt()).isEqualTo(2);
        assertThat(j.get("steps").asInt()).isEqualTo(2);
        assertThat(j.get("numClasses").asInt()).isEqualTo(4);
        JsonNode step = j.get("stepMs");
        assertThat(step.get("median").asDouble()).isPositive();
        assertThat(step.get("p10").asDouble())
                .isLessThanOrEqualTo(step.get("median").asDouble());
        assertThat(step.get("p90").asDouble())
                .isGreaterThanOrEqualTo(step.get("median").asDouble());
        assertThat(j.get("imagesPerSecond").asDouble()).isPositive();
        assertThat(j.get("phases").fieldNames())
                .toIterable()
                .containsExactly("data", "forward", "loss", "backward", "optimizer", "other");
        double shares = 0;
        for (JsonNode p : j.get("phases")) {
            shares += p.get("share").asDouble();
        }
        assertThat(shares).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(j.get("memory").get("rssPeakMb").asDouble()).isPositive();
        assertThat(j.get("memory").get("rssAtEarlyStepMb").isNull()).isTrue(); // fewer than 20 steps
        assertThat(j.get("machine").get("cpus").asInt()).isPositive();
        assertThat(j.get("machine").get("intraOpThreads").asInt()).isPositive();
    }

    @Test
    void inferBenchTimesPostProcessing() throws Exception {
        CliRunner.Result r = CliRunner.run(
                "bench",
                "--mode",
                "infer",
                "--steps",
                "1",
                "--warmup",
                "0",
                "--size",
                "48x80",
                "--batch",
                "1",
                "--config",
                "retinanet_r18_fpn_shapes",
                "--set",
                "model.head.priorProb=0.3");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("infer in fp32 on cpu", "padded 64x96", "postprocess", "images/s");
    }

    /** One measurement per precision, in the order asked; an unknown precision is refused before any. */
    @Test
    void benchMeasuresEachPrecisionAndRefusesAnUnknownOne() throws Exception {
        List<String> args = List.of(
                "bench",
                "--mode",
                "train",
                "--steps",
                "1",
                "--warmup",
                "0",
                "--size",
                "64",
                "--batch",
                "1",
                "--config",
                "retinanet_r18_fpn_shapes",
                "--set",
                "model.neck.outChannels=32",
                "--set",
                "model.head.featChannels=32");
        List<String> all = new java.util.ArrayList<>(args);
        all.addAll(List.of("--precision", "fp32,fp16,bf16"));
        CliRunner.Result r = CliRunner.run(all.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("train in fp32 on cpu", "train in fp16 on cpu", "train in bf16 on cpu");
        assertThat(r.out().indexOf("train in fp32")).isLessThan(r.out().indexOf("train in fp16"));
        assertThat(r.out().indexOf("train in fp16")).isLessThan(r.out().indexOf("train in bf16"));
        assertThat(r.out().split("peak RSS", -1)).hasSize(4);

        List<String> unknown = new java.util.ArrayList<>(args);
        unknown.addAll(List.of("--precision", "fp32,fp8"));
        CliRunner.Result refused = CliRunner.run(unknown.toArray(String[]::new));
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err()).contains("--precision must be fp32, fp16 or bf16, got 'fp8'");
        assertThat(refused.out()).doesNotContain("train in fp32");
    }

    @Test
    void profileChargesStepSamplesToComponents() throws Exception {
        CliRunner.Result r = CliRunner.run(
                "bench",
                "--steps",
                "3",
                "--warmup",
                "1",
                "--size",
                "128",
                "--config",
                "retinanet_r18_fpn_shapes",
                "--profile",
                "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode profile = new ObjectMapper().readTree(r.out()).get("profile");
        int total = profile.get("total").asInt();
        assertThat(total)
                .as("samples every 10 ms over several hundred ms of steps")
                .isGreaterThan(10);
        int sum = 0;
        for (JsonNode counts : profile.get("samples")) {
            sum += counts.get(0).asInt() + counts.get(1).asInt();
        }
        assertThat(sum).isEqualTo(total);
        JsonNode samples = profile.get("samples");
        // a training step spends most of its time in the backbone's convolutions and in backward
        assertThat(samples.get("backward (autograd)").get(0).asInt()).isPositive();
        assertThat(samples.get("backbone forward").get(0).asInt()).isPositive();
        assertThat(samples.get("post-processing (scores, top-k, decoding, NMS)")
                        .get(0)
                        .asInt())
                .isZero();
        assertThat(profile.get("javaShare").asDouble()).isBetween(0.0, 1.0);
    }

    @Test
    void badSizeIsAUserError() {
        CliRunner.Result r = CliRunner.run("bench", "--size", "12by4", "--config", "retinanet_r18_fpn_shapes");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--size '12by4'");
    }
}
