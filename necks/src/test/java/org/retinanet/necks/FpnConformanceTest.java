package org.retinanet.necks;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.retinanet.api.model.CheckpointKeys;
import org.retinanet.api.model.FeatureSpec;
import org.retinanet.api.model.TorchNames;
import org.retinanet.testing.Fixtures;

/**
 * Our FPN against torchvision 0.14's FeaturePyramidNetwork (scripts/fixtures/necks_fpn.py) with
 * random weights loaded through {@code importKey(TORCHVISION, ...)} and {@link TorchNames}.
 */
class FpnConformanceTest {

    static final List<FeatureSpec> INPUTS =
            List.of(new FeatureSpec("C3", 16, 8), new FeatureSpec("C4", 32, 16), new FeatureSpec("C5", 96, 32));

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // variant, numOuts, addExtraConvs, reluBeforeExtraConvs, norm
        "v1, 5, on_output, true, none",
        "v2, 5, on_input, true, none",
        "gn, 3, on_input, false, gn",
        "maxpool, 4, none, false, none",
    })
    void matchesTorchvision(String variant, int numOuts, String extra, boolean relu, String norm) throws IOException {
        FpnConfig config = new FpnConfig(64, 0, numOuts, extra, relu, norm, 32, "kaiming");
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> npz = readNpz(Fixtures.generated("necks/fpn_" + variant + ".npz"), manager);
            Fpn fpn = new Fpn(config, INPUTS);
            NDList inputs = new NDList(npz.get("in/c3"), npz.get("in/c4"), npz.get("in/c5"));
            fpn.initialize(manager, DataType.FLOAT32, inputs.getShapes());

            Map<String, Parameter> ours = TorchNames.parameters(fpn);
            Set<String> loaded = new HashSet<>();
            for (Map.Entry<String, NDArray> e : npz.entrySet()) {
                if (!e.getKey().startsWith("w/")) {
                    continue;
                }
                String key =
                        fpn.importKey(CheckpointKeys.TORCHVISION, e.getKey().substring(2));
                Parameter p = ours.get(key);
                assertThat(p)
                        .as("torchvision key %s mapped to %s", e.getKey(), key)
                        .isNotNull();
                assertThat(p.getArray().getShape())
                        .as(key)
                        .isEqualTo(e.getValue().getShape());
                p.getArray().set(e.getValue().toFloatArray());
                loaded.add(key);
            }
            assertThat(loaded).as("every parameter of ours is loaded").isEqualTo(ours.keySet());

            NDList out = fpn.forward(new ParameterStore(manager, false), inputs, false);
            assertThat(out).hasSize(numOuts);
            Shape[] predicted = fpn.getOutputShapes(inputs.getShapes());
            for (int i = 0; i < numOuts; i++) {
                NDArray expected = npz.get("out/" + i);
                assertThat(out.get(i).getShape()).as("P%d shape", i + 3).isEqualTo(expected.getShape());
                assertThat(predicted[i]).as("P%d predicted shape", i + 3).isEqualTo(expected.getShape());
                assertClose(out.get(i), expected, "P" + (i + 3));
            }
            checkGradients(fpn, npz, inputs, numOuts, manager);
        }
    }

    /** Gradients of sum_i sum(P_i * r_i) w.r.t. every parameter and input, against torch's autograd. */
    private static void checkGradients(
            Fpn fpn, Map<String, NDArray> npz, NDList inputs, int numOuts, NDManager manager) {
        for (NDArray x : inputs) {
            x.setRequiresGradient(true);
        }
        try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
            NDList out = fpn.forward(new ParameterStore(manager, false), inputs, true);
            NDArray loss = manager.zeros(new Shape());
            for (int i = 0; i < numOuts; i++) {
                loss = loss.add(out.get(i).mul(npz.get("r/" + i)).sum());
            }
            collector.backward(loss);
            Map<String, Parameter> ours = TorchNames.parameters(fpn);
            int checked = 0;
            for (Map.Entry<String, NDArray> e : npz.entrySet()) {
                String key = e.getKey();
                if (key.startsWith("g/in/")) {
                    int level = Integer.parseInt(key.substring("g/in/c".length())) - 3;
                    assertClose(inputs.get(level).getGradient(), e.getValue(), "d loss / d " + key.substring(5));
                    checked++;
                } else if (key.startsWith("g/")) {
                    String ourKey = fpn.importKey(CheckpointKeys.TORCHVISION, key.substring(2));
                    assertClose(ours.get(ourKey).getArray().getGradient(), e.getValue(), "d loss / d " + ourKey);
                    checked++;
                }
            }
            assertThat(checked).isEqualTo(ours.size() + inputs.size());
        }
    }

    static void assertClose(NDArray actual, NDArray expected, String what) {
        double scale = Math.max(1.0, expected.abs().max().getFloat());
        double maxDiff = actual.sub(expected).abs().max().getFloat();
        assertThat(maxDiff / scale)
                .as("%s max |diff| %s (scale %s)", what, maxDiff, scale)
                .isLessThan(1e-5);
    }

    static Map<String, NDArray> readNpz(Path file, NDManager manager) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            NDList list = NDList.decode(manager, in);
            Map<String, NDArray> byName = new LinkedHashMap<>();
            for (NDArray a : list) {
                byName.put(a.getName(), a);
            }
            return byName;
        }
    }
}
