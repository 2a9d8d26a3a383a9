package org.retinanet.experiments.tensorboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retinanet.testing.Fixtures;

/**
 * Reads our event files with Google's protobuf runtime (scripts/tensorboard/read_events.py, Debian's
 * python3-protobuf) instead of our own reader: a second implementation of the CRCs and a strict
 * schema check. TensorBoard itself has no Debian package; without python3-protobuf the test is
 * skipped with the install command in the reason.
 */
class EventFileProtobufCrossCheckTest {

    private static final String PYTHON = "/usr/bin/python3";

    @TempDir
    Path dir;

    @BeforeAll
    static void needsPythonProtobuf() throws Exception {
        boolean available = false;
        if (Files.isExecutable(Path.of(PYTHON))) {
            Process p = new ProcessBuilder(PYTHON, "-c", "import google.protobuf")
                    .redirectErrorStream(true)
                    .start();
            available = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        }
        assumeTrue(
                available,
                "skipped: Debian's python3-protobuf is not installed (apt-get install python3-protobuf);"
                        + " TensorBoard itself has no Debian package");
    }

    @Test
    void protobufRuntimeReadsWhatWeWrite() throws Exception {
        Path file;
        Map<String, Object> hparams = new LinkedHashMap<>();
        hparams.put("loss", "focal");
        hparams.put("gamma", 2.0);
        hparams.put("flip", true);
        try (EventFileWriter w = new EventFileWriter(dir, () -> 1700000000.5)) {
            file = w.file();
            w.hparamsExperiment(
                    List.of(
                            HParamInfo.discrete("loss", List.of("focal", "ce")),
                            HParamInfo.interval("gamma", 0, 5),
                            HParamInfo.discrete("flip", List.of(true, false))),
                    List.of(MetricInfo.of("val/bbox_mAP", MetricInfo.DatasetType.VALIDATION)));
            w.sessionStartInfo(hparams, "cell_3", 1700000000.0);
            w.scalar("loss/total", 7, 0.625);
            w.image("val/dets", 7, new BufferedImage(6, 4, BufferedImage.TYPE_INT_ARGB));
            w.histogram("scores/neg", 7, new double[] {0.1, 0.2, 0.2, 0.9}, 2);
            w.sessionEndInfo(SessionStatus.FAILURE, 1700000100.0);
        }
        JsonNode out = read(file);
        assertThat(out.get("truncated_at").isNull()).isTrue();
        List<JsonNode> events = new ArrayList<>();
        out.get("events").forEach(events::add);
        assertThat(events).hasSize(7);
        assertThat(events.get(0).get("file_version").asText()).isEqualTo("brain.Event:2");
        assertThat(events.get(0).get("wall_time").asDouble()).isEqualTo(1700000000.5);

        JsonNode experiment = value(events.get(1)).get("hparams").get("experiment");
        assertThat(value(events.get(1)).get("tag").asText()).isEqualTo("_hparams_/experiment");
        assertThat(value(events.get(1))
                        .get("metadata")
                        .get("plugin_data")
                        .get("plugin_name")
                        .asText())
                .isEqualTo("hparams");
        assertThat(value(events.get(1)).get("tensor").get("dtype").asInt()).isEqualTo(1);
        assertThat(value(events.get(1))
                        .get("tensor")
                        .get("tensor_shape")
                        .get("dim")
                        .get(0)
                        .has("size"))
                .isFalse(); // size 0
        assertThat(experiment.get("hparam_infos").get(0).get("domain_discrete").toString())
                .isEqualTo("[\"focal\",\"ce\"]");
        assertThat(experiment
                        .get("hparam_infos")
                        .get(1)
                        .get("domain_interval")
                        .get("max_value")
                        .asDouble())
                .isEqualTo(5.0);
        assertThat(experiment.get("hparam_infos").get(2).get("domain_discrete").toString())
                .isEqualTo("[true,false]");
        assertThat(experiment.get("metric_infos").get(0).get("name").get("tag").asText())
                .isEqualTo("val/bbox_mAP");
        assertThat(experiment.get("metric_infos").get(0).get("dataset_type").asInt())
                .isEqualTo(2);

        JsonNode start = value(events.get(2)).get("hparams").get("session_start_info");
        // a protobuf map has no order: compare as JSON objects
        assertThat(start.get("hparams"))
                .isEqualTo(new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree("{\"loss\":\"focal\",\"gamma\":2.0,\"flip\":true}"));
        assertThat(start.get("group_name").asText()).isEqualTo("cell_3");

        assertThat(events.get(3).get("step").asLong()).isEqualTo(7); // int64 is a JSON string in proto3 JSON
        assertThat(value(events.get(3)).get("simple_value").asDouble()).isEqualTo(0.625);

        JsonNode image = value(events.get(4)).get("image");
        assertThat(image.get("height").asInt()).isEqualTo(4);
        assertThat(image.get("width").asInt()).isEqualTo(6);
        assertThat(image.get("colorspace").asInt()).isEqualTo(4);
        assertThat(image.get("png_signature_ok").asBoolean()).isTrue();

        JsonNode histo = value(events.get(5)).get("histo");
        assertThat(histo.get("num").asDouble()).isEqualTo(4);
        assertThat(histo.get("bucket_limit").toString()).isEqualTo("[0.5,0.9]");
        assertThat(histo.get("bucket").toString()).isEqualTo("[3.0,1.0]");

        JsonNode end = value(events.get(6)).get("hparams").get("session_end_info");
        assertThat(end.get("status").asInt()).isEqualTo(2);
        assertThat(end.get("end_time_secs").asDouble()).isEqualTo(1700000100.0);
    }

    @Test
    void protobufRuntimeSeesTheSameTruncationAndCorruption() throws Exception {
        Path file;
        try (EventFileWriter w = new EventFileWriter(dir)) {
            file = w.file();
            w.scalar("a", 1, 1);
            w.scalar("a", 2, 2);
        }
        byte[] bytes = Files.readAllBytes(file);
        long last = EventFileReader.read(file).events().get(2).offset();
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 3));
        assertThat(read(file).get("truncated_at").asLong()).isEqualTo(last);

        bytes[(int) last + 14] ^= 1;
        Files.write(file, bytes);
        Process p = run(file);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).isEqualTo(1);
        assertThat(err).contains("data CRC mismatch at offset " + last);
    }

    private static JsonNode value(JsonNode event) {
        return event.get("summary").get("value").get(0);
    }

    private static JsonNode read(Path file) throws IOException, InterruptedException {
        Process p = run(file);
        String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("read_events.py failed: %s", stderr).isZero();
        return new ObjectMapper().readTree(stdout);
    }

    private static Process run(Path file) throws IOException, InterruptedException {
        Path script = Fixtures.repoRoot().resolve("scripts/tensorboard/read_events.py");
        Process p = new ProcessBuilder(PYTHON, script.toString(), file.toString()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("read_events.py did not finish in 60 s");
        }
        return p;
    }
}
