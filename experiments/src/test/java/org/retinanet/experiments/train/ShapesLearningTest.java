package org.retinanet.experiments.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retinanet.api.data.Category;
import org.retinanet.api.data.CocoResultsJson;
import org.retinanet.api.data.Detection;

/**
 * A short real training run that must learn: the {@code retinanet_r18_fpn_shapes} preset as it is
 * (64 px, GroupNorm FPN and head, lr 0.02, batch 8) on 64 training images for 6 epochs (48
 * iterations), evaluated on 32 held-out images. Measured on the shared 2-core machine (heavily
 * loaded): AP 0.089, AP50 0.313 in about 5 minutes (AP 0.047 after 32 iterations); same seed and
 * CPU reproduce the run exactly, so the thresholds below hold with the margin they show.
 */
class ShapesLearningTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** fp16's or bf16's AP may fall short of float32's by at most this much on this run (measured: fp16 0.009 above, bf16 level). */
    private static final double HALF_AP_MARGIN = 0.03;

    @TempDir
    static Path tmp;

    private static double float32Ap = Double.NaN;

    private static TinyTraining.Outcome learn(Path dir, String precision) {
        List<String> args = new ArrayList<>(
                List.of("train", "--config", TinyTraining.PRESET, "--work-dir", dir.toString(), "--progress", "quiet"));
        for (String s : List.of(
                "data.train.dataset.numImages=64",
                "data.val.dataset.numImages=32",
                "train.epochs=6",
                "train.steps=[100]",
                "train.warmupIters=10",
                "train.evalInterval=100",
                "train.precision=" + precision)) {
            args.add("--set");
            args.add(s);
        }
        return TinyTraining.run(args);
    }

    private static double float32Ap() throws Exception {
        if (Double.isNaN(float32Ap)) {
            Path dir = tmp.resolve("learn");
            TinyTraining.Outcome r = learn(dir, "fp32");
            assertThat(r.exitCode()).as(r.err()).isZero();
            float32Ap = JSON.readTree(dir.resolve("metrics.json").toFile())
                    .get("metrics")
                    .get("AP")
                    .asDouble();
        }
        return float32Ap;
    }

    /**
     * The same run in fp16 mixed precision learns as well, within {@link #HALF_AP_MARGIN}. Measured
     * 2026-12-01 on the quiet 2-core AVX-512 machine: fp16 AP 0.094 / AP50 0.304 in 97 s, float32
     * 0.084 / 0.297 in 12 s (libtorch's fp16 convolutions on a CPU are slow).
     */
    @Test
    void fp16MixedPrecisionLearnsAsFloat32DoesWithinTheMargin() throws Exception {
        learnsInHalfPrecision("fp16");
    }

    /**
     * The same in bf16 (no loss scale). Measured as above: AP 0.084 / AP50 0.291 in about 10 s (this
     * CPU has AVX-512 BF16).
     */
    @Test
    void bf16MixedPrecisionLearnsAsFloat32DoesWithinTheMargin() throws Exception {
        learnsInHalfPrecision("bf16");
    }

    private void learnsInHalfPrecision(String precision) throws Exception {
        double reference = float32Ap();
        Path dir = tmp.resolve("learn-" + precision);
        TinyTraining.Outcome r = learn(dir, precision);
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(RunManifest.read(dir).get("precision").asText()).isEqualTo(precision);
        Map<Long, Float> total =
                TinyTraining.scalars(TinyTraining.eventFiles(dir).get(0), "train/loss");
        assertThat(total).hasSize(48);
        JsonNode metrics = JSON.readTree(dir.resolve("metrics.json").toFile());
        assertThat(metrics.get("metrics").get("AP").asDouble())
                .as("%s AP on held-out shapes, float32's: %.4f", precision, reference)
                .isGreaterThan(reference - HALF_AP_MARGIN)
                .isGreaterThan(0.05);
    }

    @Test
    void thePresetLearnsShapesWithinAFewMinutes() throws Exception {
        Path dir = tmp.resolve("learn");
        float32Ap();

        Path events = TinyTraining.eventFiles(dir).get(0);
        Map<Long, Float> total = TinyTraining.scalars(events, "train/loss");
        assertThat(total).hasSize(48);
        // measured: about 2.0 over the first 8 steps, 1.0 over the last 8
        assertThat(mean(total, 41, 48))
                .as("training loss, last 8 vs first 8 steps: %s", total)
                .isLessThan(0.7 * mean(total, 1, 8));

        JsonNode metrics = JSON.readTree(dir.resolve("metrics.json").toFile());
        assertThat(metrics.get("iteration").asLong()).isEqualTo(48);
        assertThat(metrics.get("metrics").get("AP").asDouble())
                .as("AP on held-out shapes")
                .isGreaterThan(0.05);
        assertThat(metrics.get("metrics").get("AP50").asDouble())
                .as("AP50 on held-out shapes")
                .isGreaterThan(0.2);
        // detections.json in COCO results format, readable back
        JsonNode results = JSON.readTree(dir.resolve("detections.json").toFile());
        assertThat(results.size()).isPositive();
        for (JsonNode d : results) {
            assertThat(d.get("image_id").asLong()).isBetween(0L, 1000L);
            assertThat(d.get("category_id").asLong()).isBetween(1L, 4L);
            assertThat(d.get("bbox").get(2).asDouble()).isPositive();
            assertThat(d.get("bbox").get(3).asDouble()).isPositive();
            assertThat(d.get("score").asDouble()).isBetween(0.0, 1.0);
        }
        List<Category> categories = List.of(
                new Category(0, 1, "rectangle"),
                new Category(1, 2, "ellipse"),
                new Category(2, 3, "triangle"),
                new Category(3, 4, "cross"));
        List<Detection> read = CocoResultsJson.read(dir.resolve("detections.json"), categories);
        assertThat(read).hasSize(results.size());
        assertThat(read.stream().mapToLong(Detection::imageId).distinct().count())
                .isGreaterThan(16);
    }

    private static double mean(Map<Long, Float> values, long from, long to) {
        double sum = 0;
        for (long s = from; s <= to; s++) {
            sum += values.get(s);
        }
        return sum / (to - from + 1);
    }
}
