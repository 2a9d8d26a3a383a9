package org.retinanet.experiments.tensorboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retinanet.experiments.tensorboard.EventFileReader.EventFile;

class EventFileReaderTest {

    @TempDir
    Path dir;

    @Test
    void crc32cAndMaskAgainstKnownValues() {
        // CRC-32C check value of "123456789" is 0xE3069283 (RFC 3720 / iSCSI)
        int crc = 0xE3069283;
        int expectedMasked = Integer.rotateRight(crc, 15) + 0xA282EAD8;
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertThat(RecordFraming.maskedCrc32c(check, 0, check.length)).isEqualTo(expectedMasked);
    }

    @Test
    void protobufWireFormatAgainstTheSpecExamples() {
        // protobuf encoding guide: field 1 = 150 is 08 96 01; field 2 = "testing" is 12 07 74 65 73 74 69 6e 67
        assertThat(HexFormat.of().formatHex(new ProtoOutput().int64(1, 150).toByteArray()))
                .isEqualTo("089601");
        assertThat(HexFormat.of()
                        .formatHex(new ProtoOutput().string(2, "testing").toByteArray()))
                .isEqualTo("120774657374696e67");
        // double 1.0 as fixed64 little-endian; float 0.25 as fixed32
        assertThat(HexFormat.of().formatHex(new ProtoOutput().float64(1, 1.0).toByteArray()))
                .isEqualTo("09000000000000f03f");
        assertThat(HexFormat.of().formatHex(new ProtoOutput().float32(2, 0.25f).toByteArray()))
                .isEqualTo("150000803e");
        // negative int32 is a 10-byte varint
        assertThat(new ProtoOutput().int32(1, -1).toByteArray()).hasSize(11);
    }

    @Test
    void recordFramingLayout() {
        byte[] data = {1, 2, 3};
        byte[] record = RecordFraming.frame(data);
        assertThat(record).hasSize(12 + 3 + 4);
        assertThat(RecordFraming.getLittleEndian(record, 0, 8)).isEqualTo(3);
        assertThat(Arrays.copyOfRange(record, 12, 15)).containsExactly(1, 2, 3);
        assertThat((int) RecordFraming.getLittleEndian(record, 15, 4))
                .isEqualTo(RecordFraming.maskedCrc32c(data, 0, 3));
    }

    @Test
    void aFlippedDataByteIsACrcErrorNamingFileAndOffset() throws Exception {
        Path file = writeScalars(3);
        byte[] bytes = Files.readAllBytes(file);
        long secondRecord = EventFileReader.read(file).events().get(2).offset();
        bytes[(int) secondRecord + 12 + 5] ^= 0x40;
        Files.write(file, bytes);
        assertThatThrownBy(() -> EventFileReader.read(file))
                .isInstanceOf(CorruptEventFileException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("byte offset " + secondRecord)
                .hasMessageContaining("data CRC mismatch");
    }

    @Test
    void aFlippedLengthByteIsACrcError() throws Exception {
        Path file = writeScalars(3);
        byte[] bytes = Files.readAllBytes(file);
        long offset = EventFileReader.read(file).events().get(1).offset();
        bytes[(int) offset] ^= 0x01;
        Files.write(file, bytes);
        assertThatThrownBy(() -> EventFileReader.read(file))
                .isInstanceOf(CorruptEventFileException.class)
                .hasMessageContaining("byte offset " + offset)
                .hasMessageContaining("length CRC mismatch");
    }

    @Test
    void aTruncatedLastRecordKeepsTheCompleteOnes() throws Exception {
        Path file = writeScalars(4);
        EventFile whole = EventFileReader.read(file);
        long lastOffset = whole.events().get(4).offset();
        byte[] bytes = Files.readAllBytes(file);
        for (int cut : new int[] {1, 5, 12, 18}) { // in the data CRC, the data, the header
            Files.write(file, Arrays.copyOf(bytes, bytes.length - cut));
            EventFile read = EventFileReader.read(file);
            assertThat(read.truncated()).as("cut %d bytes", cut).isTrue();
            assertThat(read.truncatedAt()).isEqualTo(lastOffset);
            assertThat(read.events()).hasSize(4);
            assertThat(read.scalars("loss").keySet()).containsExactly(0L, 1L, 2L);
        }
    }

    @Test
    void aWriterKilledWithSigkillLeavesAReadableFile() throws Exception {
        Path runDir = dir.resolve("killed");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        EventWriterChild.class.getName(),
                        runDir.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (countEvents(runDir) < 200 && System.nanoTime() < deadline && child.isAlive()) {
                Thread.sleep(50);
            }
            assertThat(child.isAlive()).as("the child writes until killed").isTrue();
        } finally {
            child.destroyForcibly(); // SIGKILL on Linux
            child.waitFor(10, TimeUnit.SECONDS);
        }
        EventFile read = EventFileReader.read(EventFileReader.find(runDir));
        assertThat(read.events().size()).isGreaterThanOrEqualTo(200);
        List<Long> steps = List.copyOf(read.scalars("loss").keySet());
        for (int i = 0; i < steps.size(); i++) {
            assertThat(steps.get(i)).isEqualTo(i);
        }
    }

    private static int countEvents(Path runDir) {
        try {
            return Files.isDirectory(runDir)
                    ? EventFileReader.read(EventFileReader.find(runDir))
                            .events()
                            .size()
                    : 0;
        } catch (IOException e) {
            return 0; // not created yet
        }
    }

    private Path writeScalars(int n) throws IOException {
        try (EventFileWriter w = new EventFileWriter(dir)) {
            for (int step = 0; step < n; step++) {
                w.scalar("loss", step, 1.0 / (step + 1));
            }
            return w.file();
        }
    }
}
