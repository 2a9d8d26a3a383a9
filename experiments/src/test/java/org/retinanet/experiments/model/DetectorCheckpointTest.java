package org.retinanet.experiments.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.retinanet.api.model.CheckpointKeys;
import org.retinanet.api.model.HeadOutput;
import org.retinanet.api.registry.Registry;
import org.retinanet.api.registry.UserException;
import org.retinanet.experiments.config.Experiment;
import org.retinanet.testing.Fixtures;

/**
 * Whole-detector weight import, mmdetection flavour: a {@code {"meta", "state_dict"}} checkpoint
 * with mmdetection's keys (made from torchvision modules by scripts/fixtures/detector_torchvision.py:
 * R-50 with BatchNorm, FPN with P6 from C5 and no ReLU before P7, an 80-class head) loads through
 * {@code model.init} into the {@code retinanet_r50_fpn_1x_coco} preset and gives the reference's
 * raw head outputs; a head of another class count fails with one line naming the key and shapes.
 */
class DetectorCheckpointTest {

    private static Registry registry;

    @BeforeAll
    static void registry() {
        registry = Registry.create(List.of());
    }

    private static Experiment preset(String... overrides) {
        return Experiment.load("retinanet_r50_fpn_1x_coco", List.of(overrides), registry);
    }

    @Test
    void mmdetectionCheckpointLoadsIntoItsPresetAndReproducesTheHeadOutputs() throws Exception {
        Path ckpt = Fixtures.generated("detector/mmdet_retinanet_r50.pth");
        Experiment e = preset("model.numClasses=80", "model.init=" + ckpt);
        try (NDManager manager = NDManager.newBaseManager()) {
            DetectorBuilder.Built built =
                    new DetectorBuilder(registry).buildAndInitialize(e.config().model(), 80, manager);
            String note = built.notes().get(built.notes().size() - 1);
            assertThat(note)
                    .contains("(mmdet keys): loaded 301 tensors")
                    .contains("ignored on purpose")
                    .contains("num_batches_tracked")
                    .doesNotContain("missing")
                    .doesNotContain("unexpected");

            NDList ref = NDList.decode(manager, Files.readAllBytes(Fixtures.generated("detector/mmdet_forward.npz")));
            NDList out =
                    built.detector().forward(new ParameterStore(manager, false), new NDList(ref.get("input")), false);
            HeadOutput maps = new HeadOutput(out);
            int anchors = built.detector().head().anchorsPerLocation();
            NDArray logits = NDArrays.concat(new NDList(maps.flatClassification(anchors)), 1);
            NDArray deltas = NDArrays.concat(new NDList(maps.flatRegression(anchors)), 1);
            assertClose(logits, ref.get("cls_logits"), "cls_logits");
            assertClose(deltas, ref.get("bbox_regression"), "bbox_regression");
        }
    }

    @Test
    void headWithAnotherClassCountIsOneClearLine() {
        Path ckpt = Fixtures.generated("detector/mmdet_retinanet_r50.pth");
        Experiment e = preset("model.numClasses=20", "model.init=" + ckpt);
        try (NDManager manager = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> new DetectorBuilder(registry)
                            .buildAndInitialize(e.config().model(), 20, manager))
                    .isInstanceOf(UserException.class)
                    .hasMessageContaining(ckpt.toString())
                    .hasMessageContaining("'bbox_head.retina_cls.weight'")
                    .hasMessageContaining("(720, 256, 3, 3)")
                    .hasMessageContaining("(180, 256, 3, 3)")
                    .hasMessageContaining("80 classes x 9 anchors")
                    .hasMessageNotContaining("\n");
        }
    }

    @Test
    void headWithAnotherAnchorCountIsOneClearLine() {
        Path ckpt = Fixtures.generated("detector/mmdet_retinanet_r50.pth");
        Experiment e = preset("model.numClasses=80", "model.head.anchors.ratios=[1.0]", "model.init=" + ckpt);
        try (NDManager manager = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> new DetectorBuilder(registry)
                            .buildAndInitialize(e.config().model(), 80, manager))
                    .isInstanceOf(UserException.class)
                    .hasMessageContaining(
                            "'bbox_head.retina_cls.weight' has shape (720, 256, 3, 3) but the model expects (240, 256, 3, 3)")
                    .hasMessageContaining(
                            "the model's head has 80 classes x 3 anchors, the checkpoint's 80 classes x 9 anchors")
                    .hasMessageNotContaining("\n");
        }
    }

    @Test
    void flavourFromKeyPrefixes() {
        Path f = Path.of("w.pth");
        assertThat(DetectorCheckpoint.flavourOf(
                        List.of(
                                "backbone.body.conv1.weight",
                                "backbone.fpn.inner_blocks.0.0.weight",
                                "head.classification_head.cls_logits.bias"),
                        f))
                .isEqualTo(CheckpointKeys.TORCHVISION);
        assertThat(DetectorCheckpoint.flavourOf(
                        List.of(
                                "module.backbone.conv1.weight",
                                "neck.lateral_convs.0.conv.weight",
                                "bbox_head.retina_cls.bias"),
                        f))
                .isEqualTo(CheckpointKeys.MMDET);
        assertThatThrownBy(() -> DetectorCheckpoint.flavourOf(List.of("conv1.weight", "fc.weight"), f))
                .isInstanceOf(UserException.class)
                .hasMessageContaining("w.pth")
                .hasMessageContaining("not a whole-detector checkpoint")
                .hasMessageContaining("'conv1.weight'")
                .hasMessageNotContaining("\n");
    }

    private static void assertClose(NDArray ours, NDArray ref, String what) {
        assertThat(ours.getShape()).as(what + " shape").isEqualTo(ref.getShape());
        double scale = ref.abs().max().getFloat();
        double diff = ours.sub(ref).abs().max().getFloat();
        System.out.printf("mmdet %s: max |diff| %.3e (max |ref| %.3e)%n", what, diff, scale);
        assertThat(diff).as(what + " max abs difference").isLessThanOrEqualTo(1e-5 * Math.max(1, scale));
    }
}
