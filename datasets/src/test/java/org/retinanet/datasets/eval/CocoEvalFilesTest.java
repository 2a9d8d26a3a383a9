package org.retinanet.datasets.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.retinanet.api.data.CocoResultsJson;
import org.retinanet.api.data.Detection;

/** The file path (COCO instances JSON + results JSON) reproduces pycocotools bit for bit. */
class CocoEvalFilesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    static List<String> fixtures() {
        return CocoEvalFixtures.NAMES;
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void evaluatesFilesLikePycocotools(String name) throws IOException {
        JsonNode c = CocoEvalFixtures.load(name);
        // annotations first, images and categories after, extra fields: order and extras must not matter
        ObjectNode gt = JSON.createObjectNode();
        gt.set("info", JSON.createObjectNode().put("year", 2017));
        gt.set("annotations", c.get("annotations"));
        for (JsonNode a : gt.get("annotations")) {
            ((ObjectNode) a).putArray("segmentation").addArray().add(1.0).add(2.0);
        }
        gt.set("images", c.get("images"));
        gt.set("categories", c.get("categories"));
        Path gtFile = dir.resolve("gt.json");
        Path detsFile = dir.resolve("dets.json");
        JSON.writeValue(gtFile.toFile(), gt);
        JSON.writeValue(detsFile.toFile(), c.get("detections"));

        CocoEvalResult r = CocoEvalFiles.evaluate(gtFile, detsFile, CocoEvaluatorConfig.defaults());
        assertThat(r.stats())
                .containsExactly(CocoEvalFixtures.doubles(c.get("pycocotools").get("stats")));
        assertThat(r.summary()).isEqualTo(c.get("pycocotools").get("summary").asText());
    }

    @Test
    void evaluatingAWrittenResultsFileGivesPycocotoolsNumbers() throws IOException {
        JsonNode c = CocoEvalFixtures.load("basic");
        InMemoryDataset gt = CocoEvalFixtures.dataset(c);
        Path file = dir.resolve("basic.json");
        CocoResultsJson.write(file, CocoEvalFixtures.detections(c), gt.categories());
        List<Detection> read = CocoResultsJson.read(file, gt.categories());
        double[] stats = new CocoEvaluator(CocoEvaluatorConfig.defaults())
                .evaluateRaw(gt, read)
                .stats();
        assertThat(stats)
                .containsExactly(CocoEvalFixtures.doubles(c.get("pycocotools").get("stats")));
    }

    @Test
    void badGroundTruthIsOneClearLine() throws IOException {
        Path unknownImage = write(
                "{\"images\": [{\"id\": 1}], \"categories\": [{\"id\": 3, \"name\": \"c\"}],\n"
                        + "\"annotations\": [\n{\"id\": 5, \"image_id\": 9, \"category_id\": 3, \"bbox\": [0, 0, 1, 1], \"area\": 1}]}");
        assertThatThrownBy(() -> CocoEvalFiles.groundTruth(unknownImage))
                .hasMessage(unknownImage + ": line 3: annotation 5: image id 9 is not in the ground truth");
        Path arity = write("{\"images\": [], \"categories\": [], \"annotations\": [\n"
                + "{\"id\": 5, \"image_id\": 9, \"category_id\": 3, \"bbox\": [0, 0, 1]}]}");
        assertThatThrownBy(() -> CocoEvalFiles.groundTruth(arity))
                .hasMessage(arity + ": line 2, column 60: 'bbox' has 3 numbers, expected 4 (x, y, w, h)");
        Path malformed = write("{\"images\": [}");
        assertThatThrownBy(() -> CocoEvalFiles.groundTruth(malformed))
                .hasMessageStartingWith(malformed + ": malformed JSON at line 1, column 13");
        Path noCategories = write("{\"images\": [], \"annotations\": []}");
        assertThatThrownBy(() -> CocoEvalFiles.groundTruth(noCategories))
                .hasMessage(noCategories + ": no 'categories' array");
    }

    private Path write(String text) throws IOException {
        Path file = Files.createTempFile(dir, "gt", ".json");
        Files.writeString(file, text);
        return file;
    }
}
