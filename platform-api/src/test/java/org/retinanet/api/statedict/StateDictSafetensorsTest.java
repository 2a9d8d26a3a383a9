package org.retinanet.api.statedict;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retinanet.testing.Fixtures;

class StateDictSafetensorsTest {

    @TempDir
    Path dir;

    NDManager manager;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    @Test
    void roundTripKeepsNamesOrderDtypesAndValues() throws IOException {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put("layer1.0.conv1.weight", manager.randomNormal(new Shape(4, 3, 3, 3)));
        tensors.put("half", manager.create(new float[] {1.5f, -2f}).toType(DataType.FLOAT16, false));
        tensors.put("double", manager.create(new double[] {Math.PI, -0.0, Double.MIN_VALUE}));
        tensors.put("long", manager.create(new long[] {Long.MIN_VALUE, 3}));
        tensors.put("int", manager.create(new int[] {7, -7}, new Shape(1, 2)));
        tensors.put("bytes", manager.create(new byte[] {0, 1, (byte) 255}).toType(DataType.UINT8, false));
        tensors.put("flag", manager.create(new boolean[] {true, false}));
        tensors.put("a.count", manager.create(5L));
        tensors.get("half").setName("its own name");
        Path file = dir.resolve("out.safetensors");
        StateDict.writeSafetensors(tensors, file);

        assertThat(tensors.get("half").getName()).isEqualTo("its own name");
        try (StateDict sd = StateDict.read(file, manager)) {
            assertThat(sd.tensors().keySet()).containsExactlyElementsOf(tensors.keySet());
            StateDictReadTest.assertSameTensors(sd.tensors(), tensors);
        }
    }

    @Test
    void writesATorchCheckpointsTensorsAsSafetensorsAndReadsThemBack() throws IOException {
        Path file = dir.resolve("tiny.safetensors");
        try (StateDict pth = StateDict.read(Fixtures.generated("statedict/tiny.pth"), manager)) {
            StateDict.writeSafetensors(pth.tensors(), file);
            try (StateDict back = StateDict.read(file, manager)) {
                assertThat(back.tensors().keySet())
                        .containsExactlyElementsOf(pth.tensors().keySet());
                StateDictReadTest.assertSameTensors(back.tensors(), pth.tensors());
            }
        }
    }

    @Test
    void badNamesAreRefusedBeforeAnythingIsWritten() throws IOException {
        NDArray x = manager.create(new float[] {1});
        Map<String, NDArray> twice = new LinkedHashMap<>();
        twice.put("a", x);
        twice.put("b", x);
        Path file = dir.resolve("bad.safetensors");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> StateDict.writeSafetensors(twice, file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'b' is also stored under another name");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> StateDict.writeSafetensors(Map.of("", x), file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not be empty");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void replacesAnExistingFileAtomicallyAndLeavesNoTemporaryFiles() throws IOException {
        Path file = dir.resolve("ckpt.safetensors");
        StateDict.writeSafetensors(Map.of("x", manager.create(new float[] {1})), file);
        StateDict.writeSafetensors(Map.of("y", manager.create(new float[] {2, 3})), file);
        try (StateDict sd = StateDict.read(file, manager);
                Stream<Path> files = Files.list(dir)) {
            assertThat(sd.tensors().keySet()).containsExactly("y");
            assertThat(files).containsExactly(file);
        }
    }
}
