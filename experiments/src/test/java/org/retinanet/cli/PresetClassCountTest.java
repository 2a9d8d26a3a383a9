package org.retinanet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** COCO presets state COCO's class count, so they can be inspected without the data; training checks it. */
class PresetClassCountTest {

    @TempDir
    Path tmp;

    @Test
    void cocoPresetInspectsWithoutTheDatasetAndCountsEveryParameter() throws Exception {
        CliRunner.Result r = CliRunner.run("inspect", "--config", "retinanet_r18_fpn_1x_coco", "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.at("/config/model/numClasses").asInt()).isEqualTo(80);
        long parts = 0;
        for (JsonNode n : json.get("parameters")) {
            parts += n.asLong();
        }
        assertThat(json.get("totalParameters").asLong()).isEqualTo(parts).isGreaterThan(10_000_000L);
    }

    @Test
    void aClassCountThatDiffersFromTheDatasetIsOneClearError() throws Exception {
        Path images = Files.createDirectories(tmp.resolve("images"));
        ImageIO.write(
                new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB),
                "png",
                images.resolve("a.png").toFile());
        Path annotations = tmp.resolve("two_classes.json");
        Files.writeString(annotations, """
                {"images": [{"id": 1, "file_name": "a.png", "width": 64, "height": 64}],
                 "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [4, 4, 20, 20], "area": 400, "iscrowd": 0}],
                 "categories": [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]}
                """);
        CliRunner.Result r = CliRunner.run(
                "train",
                "--config",
                "retinanet_r18_fpn_1x_coco",
                "--work-dir",
                tmp.resolve("run").toString(),
                "--set",
                "data.train.dataset.annotations=" + annotations,
                "--set",
                "data.train.dataset.images=" + images,
                "--set",
                "data.train.dataset.minSize=0",
                "--max-iters",
                "1");
        assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
        assertThat(r.err().lines().filter(l -> !l.isBlank()))
                .singleElement()
                .asString()
                .startsWith("error: config preset retinanet_r18_fpn_1x_coco:")
                .contains("model.numClasses is 80")
                .contains("has 2 categories")
                .contains("set model.numClasses=2");
    }
}
