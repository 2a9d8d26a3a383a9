package org.retinanet.api.statedict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import ai.djl.ndarray.NDManager;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.retinanet.testing.Fixtures;

/** Damaged files always end in one {@link StateDictFormatException} naming the file, never a raw exception. */
class StateDictCorruptInputTest {

    @TempDir
    Path dir;

    NDManager manager;
    byte[] tiny;

    @BeforeEach
    void setUp() throws IOException {
        manager = NDManager.newBaseManager();
        tiny = Files.readAllBytes(Fixtures.generated("statedict/tiny.pth"));
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    Path file(String name, byte[] content) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, content);
        return file;
    }

    void assertRefused(Path file, String problem) {
        assertThatThrownBy(() -> StateDict.read(file, manager).close())
                .isInstanceOf(StateDictFormatException.class)
                .hasMessageStartingWith("checkpoint " + file + ": ")
                .hasMessageContaining(problem)
                .satisfies(
                        e -> assertThat(((StateDictFormatException) e).file()).isEqualTo(file));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 30, 100, 1000, 2000, 3000, 3900})
    void truncatedTorchFile(int length) throws IOException {
        assertRefused(file("cut.pth", Arrays.copyOf(tiny, Math.min(length, tiny.length - 1))), "");
    }

    @ParameterizedTest
    @ValueSource(strings = {"noise.pth", "noise.pt", "noise.safetensors", "noise.npz", "noise.bin"})
    void randomBytes(String name) throws IOException {
        byte[] noise = new byte[4096];
        new Random(name.hashCode()).nextBytes(noise);
        noise[0] = 0x11; // not a pickle, zip or safetensors start by chance
        assertRefused(file(name, noise), "");
    }

    @Test
    void plainPickleIsNotMistakenForALegacyTorchFile() throws IOException {
        // pickle.dumps({"model": {}}, protocol=2)
        byte[] pickle = {
            (byte) 0x80, 2, '}', 'q', 0, 'X', 5, 0, 0, 0, 'm', 'o', 'd', 'e', 'l', 'q', 1, '}', 'q', 2, 's', '.'
        };
        assertRefused(file("model_final.pkl", pickle), "is a plain Python pickle");
    }

    @Test
    void emptyFile() throws IOException {
        assertRefused(file("empty.pth", new byte[0]), "is empty");
    }

    @Test
    void missingStorageEntry() throws IOException {
        byte[] zip = rewrite(tiny, entries -> {
            entries.keySet().removeIf(name -> name.endsWith("/data/0"));
            return entries;
        });
        assertRefused(file("nostorage.pth", zip), "missing storage 0 (zip entry tiny/data/0) for key 'f32'");
    }

    @Test
    void truncatedStorageEntry() throws IOException {
        byte[] zip = rewrite(tiny, entries -> {
            entries.computeIfPresent("tiny/data/0", (name, bytes) -> Arrays.copyOf(bytes, bytes.length - 3));
            return entries;
        });
        assertRefused(
                file("shortstorage.pth", zip),
                "truncated storage 0 for key 'f32': 6 float32 elements need 24 bytes, found 21");
    }

    @Test
    void zipWithoutDataPkl() throws IOException {
        byte[] zip = rewrite(tiny, entries -> {
            entries.keySet().removeIf(name -> name.endsWith("data.pkl"));
            return entries;
        });
        assertRefused(file("nopickle.pth", zip), "without <archive>/data.pkl");
    }

    @Test
    void truncatedPickle() throws IOException {
        byte[] zip = rewrite(tiny, entries -> {
            entries.computeIfPresent("tiny/data.pkl", (name, bytes) -> Arrays.copyOf(bytes, bytes.length / 2));
            return entries;
        });
        assertRefused(file("halfpickle.pth", zip), "pickle error at byte ");
    }

    @Test
    void pickleStringWithAHugeLengthPrefix() throws IOException {
        // BINUNICODE with length 0x7fffffff: must not try to allocate it
        byte[] pickle = {(byte) 0x80, 2, 'X', (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f, 'a', '.'};
        byte[] zip = rewrite(tiny, entries -> {
            entries.put("tiny/data.pkl", pickle);
            return entries;
        });
        assertRefused(file("hugestring.pth", zip), "length 2147483647 exceeds the 2 bytes left");
    }

    @Test
    void damagedPickleBytesAreEitherReadOrRefusedCleanly() throws IOException {
        Map<String, byte[]> entries = entries(tiny);
        byte[] pickle = entries.get("tiny/data.pkl");
        int refused = 0;
        for (int at = 0; at < pickle.length; at += 13) {
            byte[] damaged = pickle.clone();
            damaged[at] = (byte) (at % 2 == 0 ? 0xff : 'R');
            entries.put("tiny/data.pkl", damaged);
            Path file = file("flip.pth", zip(entries));
            try {
                StateDict.read(file, manager).close();
            } catch (StateDictFormatException e) {
                assertThat(e).hasMessageStartingWith("checkpoint " + file + ": ");
                refused++;
            } catch (Throwable e) {
                fail("byte " + at + " = " + damaged[at] + ": " + e, e);
            }
        }
        assertThat(refused).isPositive();
    }

    @Test
    void truncatedSafetensors() throws IOException {
        Path good = dir.resolve("good.safetensors");
        StateDict.writeSafetensors(Map.of("w", manager.ones(new ai.djl.ndarray.types.Shape(4, 4))), good);
        byte[] bytes = Files.readAllBytes(good);
        for (int length : new int[] {4, 9, 20, bytes.length - 10}) {
            assertRefused(file("cut.safetensors", Arrays.copyOf(bytes, length)), "");
        }
    }

    @Test
    void truncatedNpz() throws IOException {
        byte[] npz = Files.readAllBytes(Fixtures.generated("statedict/tiny_expected.npz"));
        assertRefused(file("cut.npz", Arrays.copyOf(npz, npz.length / 2)), "");
    }

    static Map<String, byte[]> entries(byte[] zip) throws IOException {
        // torch writes stored entries with data descriptors, which ZipInputStream refuses
        Path tmp = Files.createTempFile("statedict", ".zip");
        try {
            Files.write(tmp, zip);
            Map<String, byte[]> out = new LinkedHashMap<>();
            try (ZipFile in = new ZipFile(tmp.toFile())) {
                for (ZipEntry e : java.util.Collections.list(in.entries())) {
                    try (var stream = in.getInputStream(e)) {
                        out.put(e.getName(), stream.readAllBytes());
                    }
                }
            }
            return out;
        } finally {
            Files.delete(tmp);
        }
    }

    static byte[] rewrite(byte[] zip, UnaryOperator<Map<String, byte[]>> edit) throws IOException {
        return zip(edit.apply(entries(zip)));
    }

    static byte[] zip(Map<String, byte[]> edited) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : edited.entrySet()) {
                out.putNextEntry(new ZipEntry(e.getKey()));
                out.write(e.getValue());
                out.closeEntry();
            }
        }
        return bytes.toByteArray();
    }
}
