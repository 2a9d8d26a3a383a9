package org.retinanet.api.statedict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.retinanet.testing.Fixtures;

/** torch.save files written by torch 1.13 (scripts/fixtures/statedict_tiny.py) against numpy's copy of each tensor. */
class StateDictReadTest {

    static final List<String> TINY_KEYS = List.of(
            "f32",
            "f16",
            "f64",
            "i64",
            "i32",
            "u8",
            "flag",
            "bf16",
            "count",
            "transposed",
            "view_a",
            "view_b",
            "expanded",
            "param",
            "subclass");

    static NDManager manager;
    static StateDict expected;

    @BeforeAll
    static void setUp() throws IOException {
        manager = NDManager.newBaseManager();
        expected = StateDict.read(Fixtures.generated("statedict/tiny_expected.npz"), manager);
    }

    @AfterAll
    static void tearDown() {
        manager.close();
    }

    @Test
    void readsEveryTensorOfATorchSaveFileExactlyInFileOrder() throws IOException {
        try (StateDict sd = StateDict.read(Fixtures.generated("statedict/tiny.pth"), manager)) {
            assertThat(sd.tensors().keySet()).containsExactlyElementsOf(TINY_KEYS);
            assertSameTensors(sd.tensors(), expected.tensors());
        }
    }

    @Test
    void dtypesShapesAndStridedViewsComeOutAsTorchHasThem() throws IOException {
        try (StateDict sd = StateDict.read(Fixtures.generated("statedict/tiny.pth"), manager)) {
            Map<String, NDArray> t = sd.tensors();
            assertThat(t.get("f32").getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(t.get("f16").getDataType()).isEqualTo(DataType.FLOAT16);
            assertThat(t.get("f64").getDataType()).isEqualTo(DataType.FLOAT64);
            assertThat(t.get("i64").getDataType()).isEqualTo(DataType.INT64);
            assertThat(t.get("i32").getDataType()).isEqualTo(DataType.INT32);
            assertThat(t.get("u8").getDataType()).isEqualTo(DataType.UINT8);
            assertThat(t.get("flag").getDataType()).isEqualTo(DataType.BOOLEAN);
            assertThat(t.get("bf16").getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(t.get("count").getShape()).isEqualTo(new Shape());
            assertThat(t.get("count").getLong()).isEqualTo(42L);
            assertThat(t.get("i64").toLongArray()).containsExactly(-(1L << 40), 0L, 7L);
            assertThat(t.get("transposed").getShape()).isEqualTo(new Shape(4, 3));
            // base = arange(20) * 0.5 - 3; view_a = base[2:8].view(2, 3); view_b = base.view(5, 4)[1:, 1::2]
            assertThat(t.get("view_a").toFloatArray()).containsExactly(-2f, -1.5f, -1f, -0.5f, 0f, 0.5f);
            assertThat(t.get("view_b").getShape()).isEqualTo(new Shape(4, 2));
            assertThat(t.get("view_b").toFloatArray()).containsExactly(-0.5f, 0.5f, 1.5f, 2.5f, 3.5f, 4.5f, 5.5f, 6.5f);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mmdet_wrapped.pth", "detectron2_wrapped.pth", "script_wrapped.pth"})
    void unwrapsTheStateDictOfTrainingCheckpointsAndSkipsMetadata(String name) throws IOException {
        try (StateDict sd = StateDict.read(Fixtures.generated("statedict/" + name), manager)) {
            assertThat(sd.tensors().keySet()).containsExactlyElementsOf(TINY_KEYS);
            assertSameTensors(sd.tensors(), expected.tensors());
        }
    }

    @Test
    void readsNpzWithItsNames() {
        assertThat(expected.tensors().keySet()).containsExactlyInAnyOrderElementsOf(TINY_KEYS);
        assertThat(expected.tensors().get("f32").getShape()).isEqualTo(new Shape(2, 3));
    }

    @Test
    void arraysLiveInAChildManagerReleasedByClose() throws IOException {
        NDArray kept;
        try (StateDict sd = StateDict.read(Fixtures.generated("statedict/tiny.pth"), manager)) {
            kept = sd.tensors().get("f32");
            assertThat(kept.getManager()).isNotSameAs(manager);
            assertThat(kept.getManager().getParentManager()).isSameAs(manager);
            assertThat(kept.getDevice()).isEqualTo(manager.getDevice());
        }
        assertThat(kept.isReleased()).isTrue();
    }

    @Test
    void legacyTorchFormatIsRefusedWithHowToResave() {
        Path file = Fixtures.generated("statedict/legacy.pth");
        assertThatThrownBy(() -> StateDict.read(file, manager))
                .isInstanceOf(StateDictFormatException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("legacy torch.save format")
                .hasMessageContaining("re-save");
    }

    @Test
    void torchScriptArchiveIsRefusedWithHowToResave() {
        Path file = Fixtures.generated("statedict/torchscript.pt");
        assertThatThrownBy(() -> StateDict.read(file, manager))
                .isInstanceOf(StateDictFormatException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("TorchScript")
                .hasMessageContaining("state_dict()");
    }

    @Test
    void aPickledModuleIsNotAStateDict() {
        Path file = Fixtures.generated("statedict/whole_module.pth");
        assertThatThrownBy(() -> StateDict.read(file, manager))
                .isInstanceOf(StateDictFormatException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("torch.nn.modules.linear.Linear")
                .hasMessageContaining("model.state_dict()");
    }

    @Test
    void missingFileIsNamed() {
        Path file = Path.of("no/such/checkpoint.pth");
        assertThatThrownBy(() -> StateDict.read(file, manager))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("checkpoint.pth");
    }

    @Test
    void readsARealTorchvisionResnet18() throws IOException {
        List<?> shapes = new com.fasterxml.jackson.databind.ObjectMapper()
                .readValue(Files.readAllBytes(Fixtures.generated("statedict/resnet18_shapes.json")), List.class);
        try (StateDict sd = StateDict.read(Fixtures.generated("statedict/resnet18.pth"), manager);
                StateDict sample = StateDict.read(Fixtures.generated("statedict/resnet18_sample.npz"), manager)) {
            assertThat(sd.tensors()).hasSize(122).hasSize(shapes.size());
            int i = 0;
            for (Map.Entry<String, NDArray> e : sd.tensors().entrySet()) {
                List<?> keyAndShape = (List<?>) shapes.get(i++);
                assertThat(e.getKey()).isEqualTo(keyAndShape.get(0));
                long[] shape = ((List<?>) keyAndShape.get(1))
                        .stream().mapToLong(d -> ((Number) d).longValue()).toArray();
                assertThat(e.getValue().getShape()).as(e.getKey()).isEqualTo(new Shape(shape));
            }
            assertThat(sample.tensors()).hasSize(7);
            for (Map.Entry<String, NDArray> e : sample.tensors().entrySet()) {
                assertSame(e.getKey(), sd.tensors().get(e.getKey()), e.getValue());
            }
        }
    }

    static void assertSameTensors(Map<String, NDArray> actual, Map<String, NDArray> expected) {
        assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        for (Map.Entry<String, NDArray> e : expected.entrySet()) {
            assertSame(e.getKey(), actual.get(e.getKey()), e.getValue());
        }
    }

    /** Same dtype, shape and bytes: exact, NaN-safe. */
    static void assertSame(String key, NDArray actual, NDArray expected) {
        assertThat(actual.getDataType()).as(key + " dtype").isEqualTo(expected.getDataType());
        assertThat(actual.getShape()).as(key + " shape").isEqualTo(expected.getShape());
        assertThat(actual.toByteArray()).as(key + " values").isEqualTo(expected.toByteArray());
    }
}
