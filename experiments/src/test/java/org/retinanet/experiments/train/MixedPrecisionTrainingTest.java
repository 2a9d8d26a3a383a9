package org.retinanet.experiments.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.retinanet.experiments.train.TinyTraining.TOTAL_ITERS;
import static org.retinanet.experiments.train.TinyTraining.checkpoint;
import static org.retinanet.experiments.train.TinyTraining.eventFiles;
import static org.retinanet.experiments.train.TinyTraining.losses;
import static org.retinanet.experiments.train.TinyTraining.run;
import static org.retinanet.experiments.train.TinyTraining.scalars;
import static org.retinanet.experiments.train.TinyTraining.trainArgs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code retinanet train} in fp16 and bf16 on the tiny shapes run: fp16's loss scale is logged and
 * moves, the manifest says the precision, a run cut after 2 iterations and resumed ends
 * byte-identical to an uninterrupted one (weights, momentum, loss-scale state), and resuming in
 * another precision is refused.
 */
class MixedPrecisionTrainingTest {

    /** A high initial scale that backs off, and growth every 2 finite steps, so both rules act in 6 iterations. */
    private static final List<String> FP16 =
            List.of("train.precision=fp16", "train.lossScale={init: 16777216, growthInterval: 2}");

    @TempDir
    Path tmp;

    @Test
    void fp16RunLogsItsLossScaleAndResumesByteIdentically() throws Exception {
        Path whole = tmp.resolve("whole");
        TinyTraining.Outcome r = run(trainArgs(whole, FP16));
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(RunManifest.read(whole).get("precision").asText()).isEqualTo("fp16");
        Map<Long, Float> scale = scalars(eventFiles(whole).get(0), "train/loss_scale");
        assertThat(scale).hasSize(TOTAL_ITERS);
        assertThat(scale.values().stream().distinct().count())
                .as("the dynamic scale moved: %s", scale)
                .isGreaterThan(1);
        for (Float loss : losses(eventFiles(whole).get(0)).get("train/loss").values()) {
            assertThat(loss).isFinite();
        }

        Path cut = tmp.resolve("cut");
        assertThat(run(trainArgs(cut, FP16, "--max-iters", "2")).exitCode()).isZero();
        TinyTraining.Outcome resumed = run(trainArgs(cut, FP16, "--resume"));
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        for (String file : List.of("model.safetensors", "optimizer.safetensors", "hooks.safetensors", "state.json")) {
            assertThat(Files.readAllBytes(checkpoint(cut, TOTAL_ITERS).resolve(file)))
                    .as(file)
                    .isEqualTo(Files.readAllBytes(checkpoint(whole, TOTAL_ITERS).resolve(file)));
        }
        assertThat(scalars(eventFiles(cut).get(1), "train/loss_scale"))
                .isEqualTo(scale.entrySet().stream()
                        .filter(e -> e.getKey() > 2)
                        .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));

        TinyTraining.Outcome other = run(trainArgs(cut, List.of("train.precision=fp32"), "--resume"));
        assertThat(other.exitCode()).isEqualTo(2);
        assertThat(other.err()).contains("was trained in fp16").contains("computes in fp32");
    }

    @Test
    void bf16RunHasNoLossScaleAndResumesByteIdentically() throws Exception {
        List<String> bf16 = List.of("train.precision=bf16");
        Path whole = tmp.resolve("whole");
        TinyTraining.Outcome r = run(trainArgs(whole, bf16));
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(RunManifest.read(whole).get("precision").asText()).isEqualTo("bf16");
        assertThat(RunManifest.read(whole)
                        .at("/environment/engine/convolutionsHalf")
                        .asText())
                .as("the bf16 convolutions were checked before training")
                .contains("8/8 shapes correct in bfloat16");
        assertThat(scalars(eventFiles(whole).get(0), "train/loss_scale")).isEmpty();
        Map<Long, Float> loss = losses(eventFiles(whole).get(0)).get("train/loss");
        assertThat(loss).hasSize(TOTAL_ITERS);
        loss.values().forEach(v -> assertThat(v).isFinite());

        Path cut = tmp.resolve("cut");
        assertThat(run(trainArgs(cut, bf16, "--max-iters", "2")).exitCode()).isZero();
        TinyTraining.Outcome resumed = run(trainArgs(cut, bf16, "--resume"));
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        Path done = checkpoint(whole, TOTAL_ITERS);
        try (var files = Files.list(done)) {
            for (Path file : files.toList()) {
                assertThat(Files.readAllBytes(checkpoint(cut, TOTAL_ITERS).resolve(file.getFileName())))
                        .as(file.getFileName().toString())
                        .isEqualTo(Files.readAllBytes(file));
            }
        }
    }

    /** The AMP preset's arrangement: fp16 on a GPU, bf16 on a CPU, said in one line and recorded. */
    @Test
    void onACpuPrecisionOnCpuReplacesThePrecisionAndSaysSo() throws Exception {
        Path dir = tmp.resolve("amp");
        TinyTraining.Outcome r =
                run(trainArgs(dir, List.of("train.precision=fp16", "train.precisionOnCpu=bf16"), "--max-iters", "1"));
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err().lines().filter(l -> l.contains("runs as")))
                .singleElement()
                .asString()
                .startsWith("retinanet: train.precision fp16 runs as bf16 on cpu() (train.precisionOnCpu): ")
                .contains("AVX-512 BF16");
        assertThat(RunManifest.read(dir).get("precision").asText()).isEqualTo("bf16");
    }
}
