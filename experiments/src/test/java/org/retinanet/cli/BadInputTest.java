package org.retinanet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input through the command line: one {@code error:} line and exit code 2, never an internal
 * error. (A new user's trial, issue 14.)
 */
class BadInputTest {

    private static final String PRESET = "retinanet_r18_fpn_shapes";

    @TempDir
    Path dir;

    @Test
    void anchorStridesThatDoNotMatchTheNecksLevelsAreBadInput() {
        // the shapes preset's neck gives P3..P5 (strides 8, 16, 32)
        String strides = "model.head.anchors.strides=[8,16]";
        CliRunner.Result inspect = CliRunner.run("inspect", "--config", PRESET, "--set", strides);
        assertThat(inspect.exitCode()).as(inspect.err()).isEqualTo(2);
        assertThat(onlyErrorLine(inspect.err()))
                .contains("model.head.anchors.strides", "[8, 16]", "3 levels", "[8, 16, 32]");

        CliRunner.Result train = CliRunner.run(
                "train",
                "--config",
                PRESET,
                "--set",
                strides,
                "--work-dir",
                dir.resolve("run").toString(),
                "--max-iters",
                "1",
                "--progress",
                "lines");
        assertThat(train.exitCode()).as(train.err()).isEqualTo(2);
        assertThat(errorLine(train.err())).contains("model.head.anchors.strides", "[8, 16]", "[8, 16, 32]");
    }

    @Test
    void groundTruthWithoutFileNamesEvaluatesButDoesNotTrain() throws Exception {
        // what pycocotools needs to score: image ids and sizes, annotations, categories; no file_name
        Path gt = Files.writeString(dir.resolve("gt.json"), """
                {"images": [{"id": 1, "width": 64, "height": 48}, {"id": 2, "width": 64, "height": 48}],
                 "categories": [{"id": 1, "name": "box"}],
                 "annotations": [
                   {"id": 1, "image_id": 1, "category_id": 1, "bbox": [4, 4, 20, 20], "area": 400, "iscrowd": 0},
                   {"id": 2, "image_id": 2, "category_id": 1, "bbox": [30, 10, 16, 24], "area": 384, "iscrowd": 0}]}
                """);
        Path dets = Files.writeString(dir.resolve("dets.json"), """
                [{"image_id": 1, "category_id": 1, "bbox": [4, 4, 20, 20], "score": 0.9},
                 {"image_id": 2, "category_id": 1, "bbox": [30, 10, 16, 24], "score": 0.8}]
                """);
        CliRunner.Result eval =
                CliRunner.run("evaluate", "--annotations", gt.toString(), "--detections", dets.toString(), "--json");
        assertThat(eval.exitCode()).as(eval.err()).isZero();
        JsonNode metrics = new ObjectMapper().readTree(eval.out());
        assertThat(metrics.get("AP").asDouble()).isEqualTo(1.0);

        // training reads the images, so it needs their file names
        CliRunner.Result train = trainOneIteration(gt);
        assertThat(train.exitCode()).as(train.err()).isEqualTo(2);
        assertThat(errorLine(train.err())).contains(gt.toString(), "file_name");
    }

    @Test
    void trainingSetWithImagesMissingFromDiskFailsBeforeTraining() throws Exception {
        Path images = Files.createDirectories(dir.resolve("images"));
        Files.write(images.resolve("1.png"), new byte[0]); // present (its content is read only when drawn)
        Path gt = Files.writeString(dir.resolve("train.json"), """
                {"images": [{"id": 1, "file_name": "1.png", "width": 64, "height": 48},
                            {"id": 2, "file_name": "2.png", "width": 64, "height": 48}],
                 "categories": [{"id": 1, "name": "box"}],
                 "annotations": [
                   {"id": 1, "image_id": 1, "category_id": 1, "bbox": [4, 4, 20, 20], "area": 400, "iscrowd": 0},
                   {"id": 2, "image_id": 2, "category_id": 1, "bbox": [30, 10, 16, 24], "area": 384, "iscrowd": 0}]}
                """);
        CliRunner.Result train = trainOneIteration(gt);
        assertThat(train.exitCode()).as(train.err()).isEqualTo(2);
        assertThat(errorLine(train.err())).contains("1 of 2 images", gt.toString(), images.toString(), "2.png");
    }

    /** One training iteration on a COCO file, through {@link #cocoConfig}. */
    private CliRunner.Result trainOneIteration(Path gt) throws Exception {
        return CliRunner.run(
                "train",
                "--config",
                cocoConfig(gt).toString(),
                "--work-dir",
                dir.resolve("run").toString(),
                "--max-iters",
                "1",
                "--progress",
                "lines");
    }

    /** The shapes preset training on a COCO file (images beside it), without validation. */
    private Path cocoConfig(Path annotations) throws Exception {
        return Files.writeString(
                dir.resolve("coco.yaml"),
                String.join(
                        "\n",
                        List.of(
                                "base: " + PRESET,
                                "model: {numClasses: 1}",
                                "data:",
                                "  train: {dataset: {type: coco, annotations: " + annotations + ", images: "
                                        + dir.resolve("images") + ", minSize: 0}, batchSize: 1, workers: 1}",
                                "  val: null",
                                "")));
    }

    /** The last stderr line, which must be the only {@code error:} line (progress notes may precede it). */
    @Test
    void aWorkDirectoryThatIsAFileIsBadInput() throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("not-a-directory", ".txt");
        CliRunner.Result train =
                CliRunner.run("train", "--config", PRESET, "--work-dir", file.toString(), "--max-iters", "1");
        assertThat(train.exitCode()).as(train.err()).isEqualTo(2);
        assertThat(onlyErrorLine(train.err())).contains("--work-dir " + file + " is a file, not a directory");
        CliRunner.Result grid = CliRunner.run("grid", "--config", "demo_quick", "--work-dir", file.toString());
        assertThat(grid.exitCode()).as(grid.err()).isEqualTo(2);
        assertThat(onlyErrorLine(grid.err())).contains("--work-dir " + file + " is a file, not a directory");
        assertThat(java.nio.file.Files.size(file)).isZero();
    }

    private static String errorLine(String stderr) {
        List<String> lines = stderr.strip().lines().toList();
        assertThat(lines.get(lines.size() - 1)).startsWith("error: ");
        assertThat(lines.stream().filter(l -> l.contains("error")).count())
                .as(stderr)
                .isEqualTo(1);
        return lines.get(lines.size() - 1);
    }

    /** The whole of stderr, which must be one {@code error:} line. */
    private static String onlyErrorLine(String stderr) {
        assertThat(stderr.strip().lines()).as(stderr).hasSize(1);
        return errorLine(stderr);
    }
}
