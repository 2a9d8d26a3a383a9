package org.retinanet.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.retinanet.experiments.engine.ConvPath;
import org.retinanet.experiments.engine.ConvSelfCheck;

/**
 * Convolutions are right wherever the platform computes: libtorch's oneDNN kernels were found
 * wrong on some of this project's machines (libtorch 2.5.1: AVX-512 outputs and input gradients,
 * AVX2 input gradients, for some shapes) and right on others, so the platform checks them at
 * start-up against float64 and switches to libtorch's native kernels where they are wrong. This
 * test checks the path chosen here, and in a child process per oneDNN instruction-set cap this
 * CPU has, that the path chosen there is right too; it prints what each cap computes.
 */
class ConvGradientRegressionTest {

    @Test
    void thePathChosenHereMatchesDoublePrecision() {
        ConvPath.Choice choice = ConvPath.ensureCorrect();
        ConvSelfCheck.Result r = ConvSelfCheck.run(Device.cpu());
        assertThat(r.ok()).as("%s: %s", choice.reason(), r.summary()).isTrue();
        for (ConvSelfCheck.Case c : r.cases()) {
            assertThat(c.outputError()).as(c.shape()).isLessThan(ConvSelfCheck.TOLERANCE);
            assertThat(c.gradientError()).as(c.shape()).isLessThan(ConvSelfCheck.TOLERANCE);
        }
    }

    @Test
    void underEveryInstructionSetCapThePlatformChoosesARightPath() throws Exception {
        String flags = Files.readString(Path.of("/proc/cpuinfo"));
        List<String> caps = new ArrayList<>(List.of("AVX"));
        if (flags.contains(" avx2")) {
            caps.add("AVX2");
        }
        if (flags.contains(" avx512f")) {
            caps.add("AVX512_CORE");
        }
        caps.add("ALL");
        for (String cap : caps) {
            ProcessBuilder pb = new ProcessBuilder(
                            ProcessHandle.current().info().command().orElse("java"),
                            "-Xmx1g",
                            "-Dai.djl.offline=true",
                            "-cp",
                            System.getProperty("java.class.path"),
                            "org.retinanet.cli.Main",
                            "doctor",
                            "--json")
                    .redirectError(ProcessBuilder.Redirect.DISCARD);
            pb.environment().put("ONEDNN_MAX_CPU_ISA", cap);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
            JsonNode conv = new ObjectMapper().readTree(out).get("convolutions");
            System.err.printf(
                    "  [conv] ONEDNN_MAX_CPU_ISA=%-12s %s: %s%n",
                    cap, conv.get("path").asText(), conv.get("why").asText());
            assertThat(conv.get("ok").asBoolean()).as("%s: %s", cap, conv).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
        }
    }
}
