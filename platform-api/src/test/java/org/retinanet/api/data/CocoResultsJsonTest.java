package org.retinanet.api.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** COCO results files: round trip, atomic writes, and one clear line per bad input. */
class CocoResultsJsonTest {

    private static final List<Category> CATS = List.of(new Category(0, 1, "a"), new Category(1, 18, "dog"));

    @TempDir
    Path dir;

    @Test
    void writesCocoResultsFormatAndReadsItBackExactly() throws IOException {
        List<Detection> dets = List.of(
                new Detection(42, 1, 0.123456789, 0.1, 0.2, 0.30000000000000004, 10.5),
                new Detection(7, 0, 1.0, 3, 4, 13, 24));
        Path file = dir.resolve("dets.json");
        CocoResultsJson.write(file, dets, CATS);

        JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(file.toFile());
        assertThat(json.get(0).get("image_id").asLong()).isEqualTo(42);
        assertThat(json.get(0).get("category_id").asLong()).isEqualTo(18); // the dataset id, not the label
        assertThat(json.get(1).get("bbox").toString()).isEqualTo("[3.0,4.0,10.0,20.0]");
        assertThat(json.get(0).get("score").asDouble()).isEqualTo(0.123456789);

        List<Detection> back = CocoResultsJson.read(file, CATS);
        assertThat(back.get(1)).isEqualTo(dets.get(1));
        assertThat(back.get(0).label()).isEqualTo(1);
        assertThat(back.get(0).x1()).isEqualTo(0.1);
        assertThat(back.get(0).x2()).isEqualTo(0.1 + (0.30000000000000004 - 0.1));
    }

    @Test
    void writesOneDetectionALineAndReplacesTheFileAtomically() throws IOException {
        Path file = dir.resolve("dets.json");
        Files.writeString(file, "old");
        CocoResultsJson.write(
                file, List.of(new Detection(1, 0, 0.5, 0, 0, 1, 1), new Detection(2, 1, 0.25, 1, 1, 2, 3)), CATS);
        assertThat(Files.readAllLines(file)).hasSize(3);
        assertThat(CocoResultsJson.read(file, CATS)).hasSize(2);
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(file); // no temporary file left
        }
    }

    @Test
    void aLabelWithoutCategoryLeavesNoFile() {
        Path file = dir.resolve("dets.json");
        assertThatThrownBy(() -> CocoResultsJson.write(file, List.of(new Detection(1, 2, 0.5, 0, 0, 1, 1)), CATS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("detection label 2 is outside 0..1");
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void malformedJsonNamesFileLineAndColumn() throws IOException {
        Path file = write("[\n {\"image_id\": 1, \"category_id\": 1,\n  \"bbox\": [1, 2, 3, 4] \"score\": 0.5}]");
        assertThatThrownBy(() -> CocoResultsJson.read(file, CATS))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith(file + ": malformed JSON at line 3, column 24: Unexpected character");
    }

    @Test
    void wrongBboxArityIsOneClearLine() throws IOException {
        Path file = write("[{\"image_id\": 1, \"category_id\": 1, \"bbox\": [1, 2, 3, 4], \"score\": 0.5},\n"
                + " {\"image_id\": 1, \"category_id\": 1, \"bbox\": [1, 2, 3], \"score\": 0.5}]");
        assertThatThrownBy(() -> CocoResultsJson.read(file, CATS))
                .hasMessage(file + ": line 2, column 52: detection 1: 'bbox' has 3 numbers, expected 4 (x, y, w, h)");
    }

    @Test
    void unknownCategoryIdIsOneClearLine() throws IOException {
        Path file = write("[{\"image_id\": 1, \"category_id\": 99, \"bbox\": [1, 2, 3, 4], \"score\": 0.5}]");
        assertThatThrownBy(() -> CocoResultsJson.read(file, CATS))
                .hasMessage(file + ": line 1, column 2: detection 0: category_id 99 is not a category of the"
                        + " ground truth (2 categories)");
    }

    @Test
    void missingFieldsAndWrongTypesAreReported() throws IOException {
        Path noScore = write("[{\"image_id\": 1, \"category_id\": 1, \"bbox\": [1, 2, 3, 4]}]");
        assertThatThrownBy(() -> CocoResultsJson.read(noScore, CATS))
                .hasMessage(noScore + ": line 1, column 2: detection 0 has no 'score'");
        Path textId = write("[{\"image_id\": \"a\", \"category_id\": 1, \"bbox\": [1, 2, 3, 4], \"score\": 1}]");
        assertThatThrownBy(() -> CocoResultsJson.read(textId, CATS))
                .hasMessageContaining("detection 0: 'image_id' must be an integer, got a");
        Path object = write("{\"image_id\": 1}");
        assertThatThrownBy(() -> CocoResultsJson.read(object, CATS))
                .hasMessageContaining("expected a JSON array of detections");
        Path missing = dir.resolve("nope.json");
        assertThatThrownBy(() -> CocoResultsJson.read(missing, CATS))
                .isInstanceOf(java.nio.file.NoSuchFileException.class)
                .hasMessageContaining("nope.json")
                .hasMessageContaining("detections file not found");
    }

    private Path write(String text) throws IOException {
        Path file = Files.createTempFile(dir, "dets", ".json");
        Files.writeString(file, text);
        return file;
    }
}
