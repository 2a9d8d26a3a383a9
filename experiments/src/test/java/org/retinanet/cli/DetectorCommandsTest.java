package org.retinanet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.retinanet.api.model.TorchNames;
import org.retinanet.api.registry.Registry;
import org.retinanet.api.statedict.StateDict;
import org.retinanet.experiments.config.Experiment;
import org.retinanet.experiments.model.DetectorBuilder;
import org.retinanet.testing.Fixtures;

/**
 * predict, loss, convert and evaluate through the command line, on a small ResNet-18 detector
 * (the shapes preset at 128 px) whose random weights this test writes with native keys, the
 * whole-detector fixtures of scripts/fixtures/detector_torchvision.py, and the datasets module's
 * pycocotools fixtures for evaluate.
 */
class DetectorCommandsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PRESET = "retinanet_r18_fpn_shapes";
    private static final String FOUR_CLASSES = "model.numClasses=4";

    @TempDir
    static Path dir;

    private static Path weights;
    private static Path image;

    /** Random R-18 weights with a high prior probability, so that the untrained model detects something. */
    @BeforeAll
    static void writeWeights() throws Exception {
        Registry registry = Registry.create(List.of());
        Experiment e = Experiment.load(PRESET, List.of(FOUR_CLASSES, "model.head.priorProb=0.3"), registry);
        weights = dir.resolve("shapes.safetensors");
        try (NDManager manager = NDManager.newBaseManager()) {
            var detector = new DetectorBuilder(registry)
                    .buildAndInitialize(e.config().model(), 4, manager)
                    .detector();
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            TorchNames.parameters(detector).forEach((k, p) -> tensors.put(k, p.getArray()));
            StateDict.writeSafetensors(tensors, weights);
        }
        image = Fixtures.generated("detector/image.png");
    }

    @Test
    void predictWritesCocoResultsAndDrawing() throws Exception {
        Path png = dir.resolve("dets.png");
        JsonNode dets = predict("dets.json", "--draw", png.toString());
        assertThat(dets.size())
                .as("detections of a model whose scores start near 0.3")
                .isGreaterThan(0);
        for (JsonNode d : dets) {
            assertThat(d.get("image_id").asLong()).isZero();
            assertThat(d.get("category_id").asLong())
                    .as("shapes category ids 1..4")
                    .isBetween(1L, 4L);
            JsonNode b = d.get("bbox");
            assertThat(b.size()).isEqualTo(4);
            assertThat(b.get(0).asDouble()).isBetween(0.0, 256.0);
            assertThat(b.get(0).asDouble() + b.get(2).asDouble()).isLessThanOrEqualTo(256.0 + 1e-3);
            assertThat(b.get(1).asDouble() + b.get(3).asDouble()).isLessThanOrEqualTo(200.0 + 1e-3);
            assertThat(d.get("score").asDouble()).isBetween(0.05, 1.0);
        }
        BufferedImage drawn = ImageIO.read(png.toFile());
        assertThat(drawn.getWidth()).isEqualTo(256);
        assertThat(drawn.getHeight()).isEqualTo(200);
    }

    /**
     * {@code --precision fp16} and {@code bf16}: half-precision weights and activations,
     * post-processing in float32. The strongest float32 detection is found again, its score and box
     * to the half type's rounding (measured: score 9e-5 in fp16 and 5e-4 in bf16, box within 0.1 px).
     */
    @ParameterizedTest
    @ValueSource(strings = {"fp16", "bf16"})
    void predictInHalfPrecisionFindsTheFloat32DetectionsToItsRounding(String precision) throws Exception {
        JsonNode full = predict("dets-fp32.json", "--precision", "fp32");
        JsonNode half = predict("dets-" + precision + ".json", "--precision", precision);
        assertThat(half.size()).isPositive();
        JsonNode best = strongest(full);
        JsonNode match = null;
        for (JsonNode d : half) {
            if (d.get("category_id").equals(best.get("category_id")) && boxDistance(d, best) < 1.0) {
                match = d;
            }
        }
        assertThat(match)
                .as("%s detection at the strongest fp32 one %s", precision, best)
                .isNotNull();
        assertThat(match.get("score").asDouble()).isCloseTo(best.get("score").asDouble(), within(1e-2));
        assertThat(strongest(half).get("score").asDouble())
                .isCloseTo(best.get("score").asDouble(), within(1e-2));
    }

    /** {@code predict} on the test image with the random weights; the results file it wrote. */
    private static JsonNode predict(String outName, String... extra) throws Exception {
        Path out = dir.resolve(outName);
        var r = CliRunner.run(predictArgs(image, out, extra));
        assertThat(r.exitCode()).as(r.err()).isZero();
        return JSON.readTree(out.toFile());
    }

    /** {@code predict}'s arguments for {@code imageFile} with the random weights, writing {@code out}. */
    private static String[] predictArgs(Path imageFile, Path out, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of(
                "predict",
                "-c",
                PRESET,
                "--set",
                FOUR_CLASSES,
                "--weights",
                weights.toString(),
                "--image",
                imageFile.toString(),
                "--out",
                out.toString()));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    private static JsonNode strongest(JsonNode dets) {
        JsonNode best = dets.get(0);
        for (JsonNode d : dets) {
            if (d.get("score").asDouble() > best.get("score").asDouble()) {
                best = d;
            }
        }
        return best;
    }

    private static double boxDistance(JsonNode a, JsonNode b) {
        double m = 0;
        for (int i = 0; i < 4; i++) {
            m = Math.max(
                    m,
                    Math.abs(a.get("bbox").get(i).asDouble()
                            - b.get("bbox").get(i).asDouble()));
        }
        return m;
    }

    @Test
    void undecodableImageIsOneLine() throws Exception {
        Path bad = dir.resolve("broken.png");
        Files.write(bad, new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3, 4, 5});
        var r = CliRunner.run(predictArgs(bad, dir.resolve("x.json")));
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(errorLine(r.err())).contains("broken.png");
    }

    @Test
    void lossCommandPrintsFiniteLossesAndLeavesTheModelUnchanged() throws Exception {
        Path ann = dir.resolve("shapes_gt.json");
        writeAnnotations(ann, 4);
        var r = CliRunner.run(
                "loss",
                "-c",
                PRESET,
                "--set",
                FOUR_CLASSES,
                "--weights",
                weights.toString(),
                "--annotations",
                ann.toString(),
                "--images",
                image.getParent().toString(),
                "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode out = JSON.readTree(r.out());
        double cls = out.get("loss_cls").asDouble();
        double box = out.get("loss_bbox").asDouble();
        assertThat(cls).isPositive().isFinite();
        assertThat(box).isPositive().isFinite();
        assertThat(out.get("total").asDouble()).isCloseTo(cls + box, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(out.get("nonFinite").size()).isZero();

        // in process: BN of this preset trains (batch statistics), yet nothing changes
        try (LoadedModel model =
                LoadedModel.open(Registry.create(List.of()), PRESET, List.of(FOUR_CLASSES), weights, "cpu")) {
            Map<String, float[]> before = snapshot(model);
            LossCommand.Summary s = LossCommand.run(model, ann, image.getParent(), 1);
            assertThat(s.mean().get("loss_cls")).isCloseTo(cls, org.assertj.core.data.Offset.offset(1e-6 * cls));
            Map<String, float[]> after = snapshot(model);
            List<String> changed = before.keySet().stream()
                    .filter(k -> !java.util.Arrays.equals(before.get(k), after.get(k)))
                    .toList();
            assertThat(changed).as("parameters changed by the loss command").isEmpty();
        }
    }

    @Test
    void lossRefusesMoreCategoriesThanClasses() throws Exception {
        Path ann = dir.resolve("too_many.json");
        writeAnnotations(ann, 7);
        var r = CliRunner.run(
                "loss",
                "-c",
                PRESET,
                "--set",
                FOUR_CLASSES,
                "--weights",
                weights.toString(),
                "--annotations",
                ann.toString(),
                "--images",
                image.getParent().toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(errorLine(r.err()))
                .contains("too_many.json")
                .contains("7 categories")
                .contains("4 classes");
    }

    @Test
    void convertWritesNativeKeysThatLoadBack() throws Exception {
        Path tv = Fixtures.generated("detector/torchvision_retinanet.pth");
        Path out = dir.resolve("tv.safetensors");
        var r = CliRunner.run(
                "convert",
                "-c",
                "torchvision_retinanet_resnet50_fpn",
                "--weights",
                tv.toString(),
                "--out",
                out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        try (NDManager m = NDManager.newBaseManager();
                StateDict src = StateDict.read(tv, m);
                StateDict conv = StateDict.read(out, m)) {
            assertThat(conv.tensors()).hasSize(301);
            assertThat(conv.tensors().keySet())
                    .allMatch(k -> k.startsWith("backbone.") || k.startsWith("neck.") || k.startsWith("bbox_head."));
            Map<String, String> pairs = Map.of(
                    "backbone.layer1.0.conv1.weight", "backbone.body.layer1.0.conv1.weight",
                    "backbone.bn1.running_var", "backbone.body.bn1.running_var",
                    "neck.lateral_convs.2.conv.bias", "backbone.fpn.inner_blocks.2.0.bias",
                    "neck.fpn_convs.3.conv.weight", "backbone.fpn.extra_blocks.p6.weight",
                    "neck.fpn_convs.4.conv.bias", "backbone.fpn.extra_blocks.p7.bias",
                    "bbox_head.cls_convs.3.conv.weight", "head.classification_head.conv.3.0.weight",
                    "bbox_head.retina_cls.bias", "head.classification_head.cls_logits.bias",
                    "bbox_head.retina_reg.weight", "head.regression_head.bbox_reg.weight");
            pairs.forEach((ours, theirs) -> assertThat(
                            conv.tensors().get(ours).contentEquals(src.tensors().get(theirs)))
                    .as(ours + " = " + theirs)
                    .isTrue());
        }
    }

    @Test
    void evaluateReproducesPycocotools() throws Exception {
        for (String name : List.of("crowded", "ties")) {
            JsonNode fixture = JSON.readTree(Fixtures.repoRoot()
                    .resolve("datasets/src/test/resources/fixtures/cocoeval/" + name + ".json")
                    .toFile());
            Path gt = dir.resolve(name + "_gt.json");
            Path dets = dir.resolve(name + "_dets.json");
            ObjectNode g = JSON.createObjectNode();
            ArrayNode images = g.putArray("images");
            for (JsonNode img : fixture.get("images")) {
                images.add(((ObjectNode) img.deepCopy())
                        .put("file_name", img.get("id").asText() + ".jpg"));
            }
            g.set("annotations", fixture.get("annotations"));
            g.set("categories", fixture.get("categories"));
            JSON.writeValue(gt.toFile(), g);
            JSON.writeValue(dets.toFile(), fixture.get("detections"));

            var r = CliRunner.run(
                    "evaluate", "--annotations", gt.toString(), "--detections", dets.toString(), "--json");
            assertThat(r.exitCode()).as(r.err()).isZero();
            JsonNode metrics = JSON.readTree(r.out());
            List<String> names =
                    List.of("AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl");
            assertThat(JSON.convertValue(metrics, Map.class).keySet()).containsExactlyElementsOf(names);
            JsonNode stats = fixture.get("pycocotools").get("stats");
            for (int i = 0; i < names.size(); i++) {
                assertThat(metrics.get(names.get(i)).asDouble())
                        .as(name + " " + names.get(i))
                        .isCloseTo(stats.get(i).asDouble(), org.assertj.core.data.Offset.offset(1e-9));
            }
            var text = CliRunner.run("evaluate", "--annotations", gt.toString(), "--detections", dets.toString());
            assertThat(text.exitCode()).isZero();
            assertThat(text.out().strip())
                    .isEqualTo(
                            fixture.get("pycocotools").get("summary").asText().strip());
        }
    }

    @Test
    void evaluateRefusesDetectionsOfUnknownImages() throws Exception {
        Path ann = dir.resolve("one_image.json");
        writeAnnotations(ann, 4);
        Path dets = dir.resolve("stray.json");
        Files.writeString(dets, "[{\"image_id\": 99, \"category_id\": 1, \"bbox\": [1, 2, 3, 4], \"score\": 0.5}]");
        var r = CliRunner.run("evaluate", "--annotations", ann.toString(), "--detections", dets.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(errorLine(r.err())).contains("stray.json").contains("image_id 99");
    }

    /** image.png (id 1) with three boxes over {@code categories} categories (ids 1..n). */
    private static void writeAnnotations(Path file, int categories) throws Exception {
        ObjectNode g = JSON.createObjectNode();
        g.putArray("images")
                .addObject()
                .put("id", 1)
                .put("file_name", "image.png")
                .put("width", 256)
                .put("height", 200);
        ArrayNode anns = g.putArray("annotations");
        double[][] boxes = {{20, 30, 100, 120}, {140, 10, 110, 80}, {100, 120, 40, 70}};
        for (int i = 0; i < boxes.length; i++) {
            ObjectNode a = anns.addObject()
                    .put("id", i + 1)
                    .put("image_id", 1)
                    .put("category_id", 1 + i % categories)
                    .put("area", boxes[i][2] * boxes[i][3])
                    .put("iscrowd", 0);
            ArrayNode b = a.putArray("bbox");
            for (double v : boxes[i]) {
                b.add(v);
            }
        }
        ArrayNode cats = g.putArray("categories");
        for (int c = 1; c <= categories; c++) {
            cats.addObject().put("id", c).put("name", "c" + c);
        }
        JSON.writeValue(file.toFile(), g);
    }

    /** The one error line of a failed command (progress notes may precede it, nothing follows it). */
    private static String errorLine(String stderr) {
        List<String> lines = stderr.strip().lines().toList();
        assertThat(lines.get(lines.size() - 1)).startsWith("error: ");
        assertThat(lines.stream().filter(l -> l.startsWith("error")).count()).isEqualTo(1);
        return lines.get(lines.size() - 1);
    }

    private static Map<String, float[]> snapshot(LoadedModel model) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e :
                TorchNames.parameters(model.detector).entrySet()) {
            out.put(e.getKey(), e.getValue().getArray().toFloatArray());
        }
        return out;
    }
}
