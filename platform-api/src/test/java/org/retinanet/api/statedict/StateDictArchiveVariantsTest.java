package org.retinanet.api.statedict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retinanet.testing.Fixtures;

/** Archive details newer torch versions write: a byteorder entry, another archive folder name. */
class StateDictArchiveVariantsTest {

    @TempDir
    Path dir;

    NDManager manager;
    Map<String, byte[]> entries;

    @BeforeEach
    void setUp() throws IOException {
        manager = NDManager.newBaseManager();
        entries = StateDictCorruptInputTest.entries(Files.readAllBytes(Fixtures.generated("statedict/tiny.pth")));
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    Path write(String name) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, StateDictCorruptInputTest.zip(entries));
        return file;
    }

    @Test
    void littleByteOrderEntryAndTorch2ArchiveNameReadTheSame() throws IOException {
        Map<String, byte[]> renamed = new java.util.LinkedHashMap<>();
        entries.forEach((k, v) -> renamed.put(k.replaceFirst("^tiny/", "archive/"), v));
        entries = renamed;
        entries.put("archive/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
        try (StateDict sd = StateDict.read(write("torch2.pth"), manager);
                StateDict original = StateDict.read(Fixtures.generated("statedict/tiny.pth"), manager)) {
            assertThat(sd.tensors().keySet())
                    .containsExactlyElementsOf(original.tensors().keySet());
            StateDictReadTest.assertSameTensors(sd.tensors(), original.tensors());
        }
    }

    @Test
    void bigEndianStoragesAreSwapped() throws IOException {
        byte[] f32 = entries.get("tiny/data/0"); // storage of "f32": 6 float32
        byte[] swapped = new byte[f32.length];
        for (int i = 0; i < f32.length; i++) {
            swapped[i] = f32[i - i % 4 + 3 - i % 4];
        }
        entries.put("tiny/data/0", swapped);
        entries.put("tiny/byteorder", "big".getBytes(StandardCharsets.US_ASCII));
        try (StateDict sd = StateDict.read(write("big.pth"), manager);
                StateDict original = StateDict.read(Fixtures.generated("statedict/tiny.pth"), manager)) {
            StateDictReadTest.assertSame(
                    "f32", sd.tensors().get("f32"), original.tensors().get("f32"));
        }
    }

    @Test
    void unknownByteOrderIsRefused() throws IOException {
        entries.put("tiny/byteorder", "middle".getBytes(StandardCharsets.US_ASCII));
        Path file = write("middle.pth");
        assertThatThrownBy(() -> StateDict.read(file, manager))
                .isInstanceOf(StateDictFormatException.class)
                .hasMessage("checkpoint " + file + ": unknown byteorder 'middle'");
    }
}
