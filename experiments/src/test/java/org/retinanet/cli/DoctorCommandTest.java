package org.retinanet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** {@code retinanet doctor}: the report, as people read it and as scripts parse it. */
class DoctorCommandTest {

    @Test
    void jsonReportParsesAndSaysWhatThisMachineComputesWith() throws Exception {
        CliRunner.Result r = CliRunner.run("doctor", "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode report = new ObjectMapper().readTree(r.out());
        assertThat(report.at("/engine/libtorch").asText()).isEqualTo("2.7.1");
        assertThat(report.at("/engine/djl").asText()).isEqualTo("0.36.0");
        assertThat(report.at("/engine/onednn").asText()).isEqualTo("3.7.1");
        assertThat(report.at("/cpu/isa").isArray()).isTrue();
        assertThat(report.at("/convolutions/ok").asBoolean()).isTrue();
        assertThat(report.at("/convolutions/path").asText()).isIn("onednn", "native");
        assertThat(report.at("/convolutions/why").asText()).contains("8/8 shapes correct");
        assertThat(report.at("/convolutions/half/fp16/summary").asText()).contains("8/8 shapes correct in float16");
        assertThat(report.at("/convolutions/half/bf16/summary").asText()).contains("8/8 shapes correct in bfloat16");
        assertThat(report.at("/determinism").has("deterministicAlgorithms")).isTrue();
        assertThat(report.at("/gpus/visible").asInt())
                .isEqualTo(report.at("/gpus/devices").size());
        assertThat(report.get("ok").asBoolean()).isTrue();
    }

    @Test
    void textReportEndsWithAVerdict() {
        CliRunner.Result r = CliRunner.run("doctor");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("engine         DJL 0.36.0, libtorch 2.7.1 (oneDNN 3.7.1)")
                .contains("convolutions   OK:")
                .contains("  in bf16      OK: 8/8 shapes correct in bfloat16")
                .contains("verdict: every check passed");
    }
}
