package org.retinanet.api.statedict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retinanet.api.model.TorchNames;

/** {@link StateDict#loadInto} against a tiny model: fc (Linear 2 -> 3) and bn (BatchNorm over 3). */
class StateDictLoadTest {

    @TempDir
    Path dir;

    NDManager manager;
    Map<String, Parameter> model;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager();
        model = new LinkedHashMap<>();
        Block fc = Linear.builder().setUnits(3).build();
        fc.initialize(manager, DataType.FLOAT32, new Shape(1, 2));
        TorchNames.parameters(fc).forEach((k, p) -> model.put("fc." + k, p));
        Block bn = BatchNorm.builder().build();
        bn.initialize(manager, DataType.FLOAT32, new Shape(1, 3));
        TorchNames.parameters(bn).forEach((k, p) -> model.put("bn." + k, p));
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    @Test
    void theModelHasTorchKeys() {
        assertThat(model.keySet())
                .containsExactly("fc.weight", "fc.bias", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var");
    }

    /** A checkpoint matching the model, written in torch's key order; fc.weight is float64. */
    Map<String, NDArray> matching(String prefix) {
        Map<String, NDArray> t = new LinkedHashMap<>();
        t.put(prefix + "fc.weight", manager.create(new double[] {1.5, -2, 3.25, 4, 5, -6.125}, new Shape(3, 2)));
        t.put(prefix + "fc.bias", manager.create(new float[] {0.1f, 0.2f, 0.3f}));
        t.put(prefix + "bn.weight", manager.create(new float[] {1, 2, 3}));
        t.put(prefix + "bn.bias", manager.create(new float[] {-1, -2, -3}));
        t.put(prefix + "bn.running_mean", manager.create(new float[] {0.5f, 0.25f, 0.125f}));
        t.put(prefix + "bn.running_var", manager.create(new float[] {9, 8, 7}));
        t.put(prefix + "bn.num_batches_tracked", manager.create(17L));
        return t;
    }

    StateDict write(Map<String, NDArray> tensors) throws IOException {
        Path file = dir.resolve("ckpt.safetensors");
        StateDict.writeSafetensors(tensors, file);
        return StateDict.read(file, manager);
    }

    Map<String, float[]> snapshot() {
        Map<String, float[]> out = new LinkedHashMap<>();
        model.forEach((k, p) -> out.put(k, p.getArray().toFloatArray()));
        return out;
    }

    @Test
    void strictLoadCopiesEveryValueConvertedToTheParametersDtype() throws IOException {
        try (StateDict sd = write(matching(""))) {
            LoadReport report = sd.loadInto(model, LoadOptions.strictDefaults());
            assertThat(report.loaded())
                    .containsExactly(
                            "fc.weight", "fc.bias", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var");
            assertThat(report.ignored()).containsExactly("bn.num_batches_tracked");
            assertThat(report.missing()).isEmpty();
            assertThat(report.unexpected()).isEmpty();
        }
        NDArray weight = model.get("fc.weight").getArray();
        assertThat(weight.getDataType()).isEqualTo(DataType.FLOAT32);
        assertThat(weight.toFloatArray()).containsExactly(1.5f, -2f, 3.25f, 4f, 5f, -6.125f);
        assertThat(model.get("bn.running_var").getArray().toFloatArray()).containsExactly(9f, 8f, 7f);
        // the parameter keeps its own array (and stays usable after the state dict is closed)
        assertThat(weight.isReleased()).isFalse();
        assertThat(weight.getManager()).isNotNull();
        ParameterStore store = new ParameterStore(manager, false);
        assertThat(store.getValue(model.get("bn.weight"), manager.getDevice(), false)
                        .toFloatArray())
                .containsExactly(1f, 2f, 3f);
    }

    @Test
    void renameMapsKeysAndNullDropsThemOnPurpose() throws IOException {
        Map<String, NDArray> t = matching("module.");
        t.put("module.aux.weight", manager.create(new float[] {1}));
        Function<String, String> rename = k -> k.startsWith("module.aux.") ? null : k.substring("module.".length());
        try (StateDict sd = write(t)) {
            LoadReport report =
                    sd.loadInto(model, new LoadOptions(rename, k -> k.endsWith("num_batches_tracked"), true));
            assertThat(report.loaded()).hasSize(6).allMatch(k -> k.startsWith("module."));
            assertThat(report.ignored()).containsExactly("module.bn.num_batches_tracked", "module.aux.weight");
        }
        assertThat(model.get("fc.bias").getArray().toFloatArray()).containsExactly(0.1f, 0.2f, 0.3f);
    }

    @Test
    void nonStrictReportsMissingAndUnexpectedAndLoadsTheRest() throws IOException {
        Map<String, NDArray> t = matching("");
        t.remove("bn.running_mean");
        t.remove("bn.running_var");
        t.put("head.weight", manager.create(new float[] {1, 2}));
        float[] meanBefore = model.get("bn.running_mean").getArray().toFloatArray();
        try (StateDict sd = write(t)) {
            LoadReport report = sd.loadInto(model, new LoadOptions(Function.identity(), k -> false, false));
            assertThat(report.missing()).containsExactly("bn.running_mean", "bn.running_var");
            assertThat(report.unexpected()).containsExactly("bn.num_batches_tracked", "head.weight");
            assertThat(report.ignored()).isEmpty();
            assertThat(report.loaded()).containsExactly("fc.weight", "fc.bias", "bn.weight", "bn.bias");
        }
        assertThat(model.get("bn.running_mean").getArray().toFloatArray()).containsExactly(meanBefore);
        assertThat(model.get("bn.bias").getArray().toFloatArray()).containsExactly(-1f, -2f, -3f);
    }

    @Test
    void strictLoadWithMissingOrUnexpectedKeysFailsAndLeavesTheModelUntouched() throws IOException {
        Map<String, NDArray> t = matching("");
        t.remove("bn.running_var");
        for (int i = 0; i < 7; i++) {
            t.put("extra" + i, manager.create(new float[] {i}));
        }
        Map<String, float[]> before = snapshot();
        try (StateDict sd = write(t)) {
            assertThatThrownBy(() -> sd.loadInto(model, LoadOptions.strictDefaults()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("checkpoint " + sd.source())
                    .hasMessageContaining("1 missing keys ('bn.running_var')")
                    .hasMessageContaining("7 unexpected keys ('extra0', 'extra1', 'extra2', 'extra3', 'extra4', ...)");
        }
        assertThat(snapshot()).usingRecursiveComparison().isEqualTo(before);
    }

    @Test
    void shapeMismatchNamesTheKeyAndBothShapesBeforeAnythingIsCopied() throws IOException {
        Map<String, NDArray> t = matching("");
        t.put("bn.running_var", manager.create(new float[] {1, 2, 3, 4}).reshape(2, 2)); // after the others
        Map<String, float[]> before = snapshot();
        try (StateDict sd = write(t)) {
            assertThatThrownBy(() -> sd.loadInto(model, LoadOptions.strictDefaults()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("checkpoint " + sd.source()
                            + ": key 'bn.running_var' has shape (2, 2) but the model expects (3)");
        }
        assertThat(snapshot()).usingRecursiveComparison().isEqualTo(before);
    }

    @Test
    void shapeMismatchOfARenamedKeyAlsoNamesTheModelParameter() throws IOException {
        Map<String, NDArray> t = Map.of("w", manager.create(new float[] {1, 2, 3, 4, 5, 6}, new Shape(2, 3)));
        try (StateDict sd = write(t)) {
            assertThatThrownBy(() -> sd.loadInto(model, new LoadOptions(k -> "fc.weight", k -> false, false)))
                    .hasMessageEndingWith(
                            "key 'w' has shape (2, 3) but the model expects (3, 2) (model parameter 'fc.weight')");
        }
    }

    @Test
    void twoCheckpointKeysForOneParameterAreAnError() throws IOException {
        Map<String, NDArray> t = new LinkedHashMap<>();
        t.put("a.bias", manager.create(new float[] {1, 2, 3}));
        t.put("b.bias", manager.create(new float[] {1, 2, 3}));
        try (StateDict sd = write(t)) {
            assertThatThrownBy(() -> sd.loadInto(model, new LoadOptions(k -> "fc.bias", k -> false, false)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'a.bias' and 'b.bias' both map to model key 'fc.bias'");
        }
    }

    @Test
    void uninitialisedParametersAreAClearError() throws IOException {
        Block fresh = Linear.builder().setUnits(3).build();
        Map<String, Parameter> target = new LinkedHashMap<>();
        TorchNames.parameters(fresh).forEach((k, p) -> target.put("fc." + k, p));
        try (StateDict sd = write(matching(""))) {
            assertThatThrownBy(() -> sd.loadInto(target, new LoadOptions(Function.identity(), k -> false, false)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("'fc.weight' is not initialised");
        }
    }

    @Test
    void loadsTheRealResnet18KeysOfATorchSaveFile() throws IOException {
        // every key of a torchvision state dict is reported; a model of two of its layers loads them
        Block conv1Bn = BatchNorm.builder().build();
        conv1Bn.initialize(manager, DataType.FLOAT32, new Shape(1, 64, 2, 2));
        Map<String, Parameter> target = new LinkedHashMap<>();
        TorchNames.parameters(conv1Bn).forEach((k, p) -> target.put("bn1." + k, p));
        try (StateDict sd =
                StateDict.read(org.retinanet.testing.Fixtures.generated("statedict/resnet18.pth"), manager)) {
            LoadReport report = sd.loadInto(
                    target, new LoadOptions(Function.identity(), k -> k.endsWith("num_batches_tracked"), false));
            assertThat(report.loaded())
                    .containsExactly("bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var");
            assertThat(report.loaded().size()
                            + report.unexpected().size()
                            + report.ignored().size())
                    .isEqualTo(122);
            assertThat(report.ignored()).hasSize(20).allMatch(k -> k.endsWith("num_batches_tracked"));
            assertThat(target.get("bn1.running_var").getArray().toFloatArray())
                    .containsExactly(sd.tensors().get("bn1.running_var").toFloatArray());
            assertThat(report.missing()).isEqualTo(List.of());
        }
    }
}
