package org.retinanet.heads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.retinanet.api.box.GridSize;
import org.retinanet.api.data.BoxTargets;
import org.retinanet.api.data.ImageMeta;
import org.retinanet.api.loss.BoxInput;
import org.retinanet.api.loss.BoxLoss;
import org.retinanet.api.loss.ClassificationInput;
import org.retinanet.api.loss.ClassificationLoss;
import org.retinanet.api.loss.LossNormalization;
import org.retinanet.api.loss.LossValue;
import org.retinanet.api.model.CheckpointKeys;
import org.retinanet.api.model.DenseHead;
import org.retinanet.api.model.DetectionBatch;
import org.retinanet.api.model.FeatureSpec;
import org.retinanet.api.model.HeadContext;
import org.retinanet.api.model.HeadOutput;
import org.retinanet.api.model.LossOutput;
import org.retinanet.api.model.TorchNames;
import org.retinanet.api.registry.UserException;
import org.retinanet.api.spi.HeadFactory;
import org.retinanet.api.spi.RetinanetPlugin;

class RetinaHeadTest {

    private static List<FeatureSpec> pyramid(int channels, int levels) {
        List<FeatureSpec> out = new ArrayList<>();
        for (int l = 0; l < levels; l++) {
            out.add(new FeatureSpec("P" + (l + 3), channels, 8 << l));
        }
        return out;
    }

    private static HeadContext context(
            int classes, List<FeatureSpec> inputs, ClassificationLoss cls, BoxLoss box, LossNormalization norm) {
        return new HeadContext(classes, inputs, cls, box, norm);
    }

    @Test
    void pluginIsDiscoveredWithTheRetinaFactory() {
        List<String> ids = new ArrayList<>();
        for (RetinanetPlugin p : ServiceLoader.load(RetinanetPlugin.class)) {
            if (p instanceof HeadsPlugin) {
                p.heads().forEach(f -> ids.add(f.id()));
            }
        }
        assertThat(ids).containsExactly("retina");
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void factoryChecksTheStridesAgainstTheNeck() {
        HeadFactory factory = new HeadsPlugin().heads().get(0);
        assertThat(factory.configType()).isEqualTo(RetinaHeadConfig.class);
        // config values that do not fit the neck: bad input (exit 2), naming the key and both sides
        assertThatThrownBy(() ->
                        factory.create(RetinaHeadConfig.defaults(), context(80, pyramid(256, 4), null, null, null)))
                .isInstanceOf(UserException.class)
                .hasMessage("model.head.anchors.strides is [8, 16, 32, 64, 128] but the neck produces 4 levels"
                        + " [P3, P4, P5, P6] with strides [8, 16, 32, 64]; give one anchor stride per neck level");
        List<FeatureSpec> odd = new ArrayList<>(pyramid(256, 5));
        odd.set(3, new FeatureSpec("P6", 256, 32));
        assertThatThrownBy(() -> factory.create(RetinaHeadConfig.defaults(), context(80, odd, null, null, null)))
                .isInstanceOf(UserException.class)
                .hasMessageContaining("model.head.anchors.strides is [8, 16, 32, 64, 128]")
                .hasMessageContaining("with strides [8, 16, 32, 32, 128]");
        List<FeatureSpec> mixed = new ArrayList<>(pyramid(256, 5));
        mixed.set(2, new FeatureSpec("P5", 128, 32));
        assertThatThrownBy(() -> factory.create(RetinaHeadConfig.defaults(), context(80, mixed, null, null, null)))
                .isInstanceOf(UserException.class)
                .hasMessageContaining("same channels on every neck level");
        assertThatThrownBy(() ->
                        factory.create(RetinaHeadConfig.defaults(), context(0, pyramid(256, 5), null, null, null)))
                .isInstanceOf(UserException.class)
                .hasMessageContaining("at least one class");
        DenseHead head =
                (DenseHead) factory.create(RetinaHeadConfig.defaults(), context(80, pyramid(256, 5), null, null, null));
        assertThat(head.anchorsPerLocation()).isEqualTo(9);
        assertThat(head.numClasses()).isEqualTo(80);
    }

    @Test
    void parameterNamesAreMmdetectionKeysAndInitFollowsTheSpec() {
        RetinaHead head = new RetinaHead(RetinaHeadConfig.defaults(), context(80, pyramid(256, 5), null, null, null));
        try (NDManager m = NDManager.newBaseManager()) {
            head.initialize(
                    m,
                    DataType.FLOAT32,
                    new Shape(1, 256, 8, 8),
                    new Shape(1, 256, 4, 4),
                    new Shape(1, 256, 2, 2),
                    new Shape(1, 256, 1, 1),
                    new Shape(1, 256, 1, 1));
            Map<String, Parameter> p = TorchNames.parameters(head);
            assertThat(p.keySet())
                    .contains(
                            "cls_convs.0.conv.weight",
                            "cls_convs.3.conv.bias",
                            "reg_convs.3.conv.weight",
                            "retina_cls.weight",
                            "retina_cls.bias",
                            "retina_reg.weight",
                            "retina_reg.bias")
                    .hasSize(20);
            assertThat(p.get("retina_cls.weight").getArray().getShape()).isEqualTo(new Shape(720, 256, 3, 3));
            assertThat(p.get("retina_reg.weight").getArray().getShape()).isEqualTo(new Shape(36, 256, 3, 3));
            float[] bias = p.get("retina_cls.bias").getArray().toFloatArray();
            assertThat((double) bias[0]).isCloseTo(-4.59512, within(1e-4));
            assertThat(p.get("retina_reg.bias").getArray().abs().sum().getFloat())
                    .isZero();
            assertThat(p.get("cls_convs.1.conv.bias").getArray().abs().sum().getFloat())
                    .isZero();
            NDArray w = p.get("cls_convs.0.conv.weight").getArray();
            assertThat((double) w.mean().getFloat()).isCloseTo(0, within(1e-3));
            double std = Math.sqrt(w.square().mean().getFloat());
            assertThat(std).isCloseTo(0.01, within(5e-4));
        }
    }

    @Test
    void groupNormHeadHasGnKeysAndConvsWithoutBias() {
        RetinaHeadConfig gn = new RetinaHeadConfig(null, 64, "gn", 32, null, null, null, null, null, null);
        RetinaHead head = new RetinaHead(gn, context(3, pyramid(64, 5), null, null, null));
        try (NDManager m = NDManager.newBaseManager()) {
            Shape[] shapes = new Shape[5];
            for (int l = 0; l < 5; l++) {
                shapes[l] = new Shape(1, 64, 4, 4);
            }
            head.initialize(m, DataType.FLOAT32, shapes);
            Map<String, Parameter> p = TorchNames.parameters(head);
            assertThat(p)
                    .containsKeys("cls_convs.0.gn.weight", "reg_convs.3.gn.bias")
                    .doesNotContainKey("cls_convs.0.conv.bias");
            assertThat(p.get("cls_convs.0.gn.weight").getArray().toFloatArray()).containsOnly(1f);
        }
    }

    @Test
    void torchvisionKeysMapToOurs() {
        RetinaHead head = new RetinaHead(RetinaHeadConfig.defaults(), context(80, pyramid(256, 5), null, null, null));
        String tv = CheckpointKeys.TORCHVISION;
        assertThat(head.importKey(tv, "classification_head.conv.2.0.weight")).isEqualTo("cls_convs.2.conv.weight");
        assertThat(head.importKey(tv, "regression_head.conv.3.0.bias")).isEqualTo("reg_convs.3.conv.bias");
        assertThat(head.importKey(tv, "classification_head.conv.1.1.weight")).isEqualTo("cls_convs.1.gn.weight");
        assertThat(head.importKey(tv, "classification_head.conv.6.weight"))
                .isEqualTo("cls_convs.3.conv.weight"); // <0.13
        assertThat(head.importKey(tv, "classification_head.cls_logits.bias")).isEqualTo("retina_cls.bias");
        assertThat(head.importKey(tv, "regression_head.bbox_reg.weight")).isEqualTo("retina_reg.weight");
        assertThat(head.importKey(tv, "something.else")).isEqualTo("something.else");
        assertThat(head.importKey(CheckpointKeys.MMDET, "cls_convs.0.conv.weight"))
                .isEqualTo("cls_convs.0.conv.weight");
    }

    /** Records what the head passes to the losses (on the host: the head frees its intermediates). */
    static final class Capturing implements ClassificationLoss, BoxLoss {
        final boolean boxInputs;
        int[] labels;
        Shape labelsShape;
        Shape boxLossShape;
        Shape predictedBoxesShape;
        Shape targetBoxesShape;
        boolean nanTargets;

        Capturing(boolean boxInputs) {
            this.boxInputs = boxInputs;
        }

        @Override
        public LossValue compute(ClassificationInput input) {
            labels = input.labels().toIntArray();
            labelsShape = input.labels().getShape();
            boxLossShape = input.boxLoss() == null ? null : input.boxLoss().getShape();
            predictedBoxesShape = input.predictedBoxes() == null
                    ? null
                    : input.predictedBoxes().getShape();
            return LossValue.of(input.logits().sum(new int[] {1, 2}).mul(0).add(6f)); // 6 per image
        }

        @Override
        public NDArray compute(BoxInput input) {
            targetBoxesShape =
                    input.targetBoxes() == null ? null : input.targetBoxes().getShape();
            nanTargets = input.targetDeltas().isNaN().any().getBoolean();
            return input.weights().mul(0.5f);
        }

        @Override
        public boolean needsBoxInputs() {
            return boxInputs;
        }

        @Override
        public boolean needsDecodedBoxes() {
            return boxInputs;
        }
    }

    private static RetinaHead smallHead(Capturing losses, LossNormalization norm) {
        RetinaHeadConfig config = new RetinaHeadConfig(1, 8, null, null, null, null, null, null, null, null);
        return new RetinaHead(config, context(3, pyramid(8, 5), losses, losses, norm));
    }

    private static HeadOutput forward(NDManager m, RetinaHead head) {
        int[][] sizes = {{8, 10}, {4, 5}, {2, 3}, {1, 2}, {1, 1}};
        NDList feats = new NDList();
        for (int[] s : sizes) {
            feats.add(m.randomNormal(new Shape(2, 8, s[0], s[1])));
        }
        head.initialize(m, DataType.FLOAT32, feats.getShapes());
        return new HeadOutput(head.forward(new ParameterStore(m, false), feats, false));
    }

    @Test
    void lossTargetsLabelsAndNormalisation() {
        Capturing losses = new Capturing(true);
        RetinaHead head = smallHead(losses, LossNormalization.batchPositives());
        try (NDManager m = NDManager.newBaseManager()) {
            HeadOutput out = forward(m, head);
            // image 0 is 40x50 in a 64x80 batch: its own padded size 64x64, so P3 column x >= 8 is padding
            List<ImageMeta> metas = List.of(
                    new ImageMeta(1, 80, 64, 50, 40, 0.625, 0.625, false),
                    new ImageMeta(2, 80, 64, 80, 64, 1, 1, false));
            List<BoxTargets> targets = List.of(
                    new BoxTargets(new float[] {0, 0, 32, 32, 10, 10, 20, 20}, new int[] {2, 1}, new boolean[2]),
                    BoxTargets.empty());
            LossOutput loss = head.loss(out, new DetectionBatch(m.zeros(new Shape(2, 3, 64, 80)), metas, targets));
            int[] labels = losses.labels;
            int anchors = (80 + 20 + 6 + 2 + 1) * 9;
            assertThat(losses.labelsShape).isEqualTo(new Shape(2, anchors));
            // image 0, P3 row 0, column 9 (padding) is invalid; column 0 is not
            assertThat(labels[9 * 9]).isEqualTo(-1);
            assertThat(labels[0]).isIn(3, 2, 1, -1);
            // the gt of class 2 and the one of class 1 both got positives; image 1 is all background
            List<Integer> image0 = new ArrayList<>();
            for (int i = 0; i < anchors; i++) {
                image0.add(labels[i]);
            }
            assertThat(image0).contains(2, 1, 3, -1);
            for (int i = anchors; i < 2 * anchors; i++) {
                assertThat(labels[i]).isEqualTo(3);
            }
            // box inputs requested: decoded boxes and per-anchor box loss reach the classification loss
            assertThat(losses.boxLossShape).isEqualTo(new Shape(2, anchors));
            assertThat(losses.predictedBoxesShape).isEqualTo(new Shape(2, anchors, 4));
            assertThat(losses.targetBoxesShape).isEqualTo(new Shape(2, anchors, 4));
            assertThat(losses.nanTargets).isFalse();
            // batch_positives: (6 + 6) / (max(P, 1) + max(0, 1)); box: 0.5 * P / (P + 1)
            float numPos = loss.diagnostics().get("num_pos").getFloat();
            assertThat(numPos).isGreaterThanOrEqualTo(2f);
            assertThat(loss.components().get("loss_cls").getFloat()).isCloseTo(12f / (numPos + 1), within(1e-5f));
            assertThat(loss.components().get("loss_bbox").getFloat())
                    .isCloseTo(0.5f * numPos / (numPos + 1), within(1e-5f));
            assertThat(loss.diagnostics().get("scores_pos").getShape().get(0)).isEqualTo((long) numPos);
            long negatives = 0;
            for (int l : labels) {
                negatives += l == 3 ? 1 : 0;
            }
            assertThat(loss.diagnostics().get("scores_neg").getShape().get(0)).isEqualTo(Math.min(1000, negatives));
            assertThat(loss.diagnostics().get("num_neg").getFloat()).isEqualTo((float) negatives);
        }
    }

    @Test
    void gradientsReachEveryConvThroughTheLoss() {
        RetinaHeadConfig config = new RetinaHeadConfig(1, 8, null, null, null, null, null, null, null, null);
        RetinaHead head = new RetinaHead(
                config,
                context(
                        3,
                        pyramid(8, 5),
                        new LocalLosses.Focal(),
                        new LocalLosses.L1(),
                        LossNormalization.batchPositives()));
        try (NDManager m = NDManager.newBaseManager()) {
            forward(m, head); // initialises
            int[][] sizes = {{8, 10}, {4, 5}, {2, 3}, {1, 2}, {1, 1}};
            NDList feats = new NDList();
            for (int[] sz : sizes) {
                feats.add(m.randomNormal(new Shape(2, 8, sz[0], sz[1])));
            }
            List<ImageMeta> metas = List.of(
                    new ImageMeta(1, 80, 64, 80, 64, 1, 1, false), new ImageMeta(2, 80, 64, 80, 64, 1, 1, false));
            List<BoxTargets> targets = List.of(
                    new BoxTargets(new float[] {0, 0, 32, 32, 10, 10, 20, 20}, new int[] {2, 1}, new boolean[2]),
                    new BoxTargets(new float[] {30, 20, 70, 60}, new int[] {0}, new boolean[1]));
            try (ai.djl.training.GradientCollector gc =
                    ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                HeadOutput out = new HeadOutput(head.forward(new ParameterStore(m, false), feats, true));
                LossOutput loss = head.loss(out, new DetectionBatch(m.zeros(new Shape(2, 3, 64, 80)), metas, targets));
                assertThat(Float.isFinite(loss.total().getFloat())).isTrue();
                gc.backward(loss.total());
            }
            for (Map.Entry<String, Parameter> e : TorchNames.parameters(head).entrySet()) {
                float g = e.getValue().getArray().getGradient().abs().sum().getFloat();
                assertThat(g).as("gradient of " + e.getKey()).isGreaterThan(0f);
            }
        }
    }

    @Test
    void emaNormalisationKeepsItsStateAcrossBatches() {
        Capturing losses = new Capturing(false);
        RetinaHead head = smallHead(losses, new LossNormalization(LossNormalization.EMA, 0.9, 100.0));
        try (NDManager m = NDManager.newBaseManager()) {
            HeadOutput out = forward(m, head);
            List<ImageMeta> metas = List.of(
                    new ImageMeta(1, 80, 64, 80, 64, 1, 1, false), new ImageMeta(2, 80, 64, 80, 64, 1, 1, false));
            List<BoxTargets> empty = List.of(BoxTargets.empty(), BoxTargets.empty());
            DetectionBatch batch = new DetectionBatch(m.zeros(new Shape(2, 3, 64, 80)), metas, empty);
            LossOutput first = head.loss(out, batch);
            double ema1 = 0.9 * 100 + 0.1 * 1;
            assertThat((double) first.components().get("loss_cls").getFloat()).isCloseTo(12 / ema1, within(1e-5));
            LossOutput second = head.loss(out, batch);
            double ema2 = 0.9 * ema1 + 0.1 * 1;
            assertThat((double) second.components().get("loss_cls").getFloat()).isCloseTo(12 / ema2, within(1e-5));
            assertThat(second.components().get("loss_bbox").getFloat()).isZero();
            assertThat(losses.boxLossShape).isNull();
        }
    }

    @Test
    void perImageNormalisationAndOwnNormaliser() {
        ClassificationLoss own = in -> new LossValue(
                in.logits().sum(new int[] {1, 2}).mul(0).add(6f),
                in.logits().getManager().create(new float[] {2f, 3f}));
        RetinaHeadConfig config = new RetinaHeadConfig(1, 8, null, null, null, null, null, null, null, null);
        RetinaHead head = new RetinaHead(
                config,
                context(
                        3,
                        pyramid(8, 5),
                        own,
                        new Capturing(false),
                        new LossNormalization(LossNormalization.PER_IMAGE, null, null)));
        try (NDManager m = NDManager.newBaseManager()) {
            HeadOutput out = forward(m, head);
            List<ImageMeta> metas = List.of(
                    new ImageMeta(1, 80, 64, 80, 64, 1, 1, false), new ImageMeta(2, 80, 64, 80, 64, 1, 1, false));
            LossOutput loss = head.loss(
                    out,
                    new DetectionBatch(
                            m.zeros(new Shape(2, 3, 64, 80)), metas, List.of(BoxTargets.empty(), BoxTargets.empty())));
            assertThat(loss.components().get("loss_cls").getFloat()).isCloseTo((6f / 2 + 6f / 3) / 2, within(1e-5f));
        }
    }

    @Test
    void outputsKeepTheirLevelShapesAndAreCheckedOnUse() {
        RetinaHead head = smallHead(new Capturing(false), LossNormalization.batchPositives());
        try (NDManager m = NDManager.newBaseManager()) {
            HeadOutput out = forward(m, head);
            // non-square levels keep (N, A*K, H, W) and (N, A*4, H, W); the sizes come from the shapes
            assertThat(out.levels()).isEqualTo(5);
            assertThat(out.classification(0).getShape()).isEqualTo(new Shape(2, 9 * 3, 8, 10));
            assertThat(out.regression(0).getShape()).isEqualTo(new Shape(2, 9 * 4, 8, 10));
            assertThat(out.classification(3).getShape()).isEqualTo(new Shape(2, 9 * 3, 1, 2));
            assertThat(out.arrays().get(5)).isSameAs(out.regression(0));
            assertThat(head.gridsOf(out).get(1)).isEqualTo(new GridSize(4, 5));
            Shape[] declared = head.getOutputShapes(new Shape[] {new Shape(2, 8, 8, 10), new Shape(2, 8, 4, 5)});
            assertThat(declared)
                    .containsExactly(
                            new Shape(2, 27, 8, 10),
                            new Shape(2, 27, 4, 5),
                            new Shape(2, 36, 8, 10),
                            new Shape(2, 36, 4, 5));
            // copies work as well as the forward's own arrays: nothing rides on names or threads
            NDList copies = new NDList();
            out.arrays().forEach(a -> copies.add(a.duplicate()));
            assertThat(head.gridsOf(new HeadOutput(copies)).get(0)).isEqualTo(new GridSize(8, 10));
            NDList fourLevels = new NDList(out.arrays().subNDList(0, 4));
            fourLevels.addAll(out.arrays().subNDList(5, 9));
            assertThatThrownBy(() -> head.gridsOf(new HeadOutput(fourLevels)))
                    .hasMessageContaining("has 4 levels, expected 5");
            NDList swapped = new NDList(out.arrays().subNDList(5));
            swapped.addAll(out.arrays().subNDList(0, 5));
            assertThatThrownBy(() -> head.gridsOf(new HeadOutput(swapped))).hasMessageContaining("channels");
            assertThatThrownBy(() -> new HeadOutput(new NDList(out.arrays().subNDList(0, 9))))
                    .hasMessageContaining("9 arrays");
            List<ImageMeta> metas = List.of(
                    new ImageMeta(1, 160, 128, 80, 64, 0.5, 0.5, false), new ImageMeta(2, 80, 64, 80, 64, 1, 1, true));
            var dets = head.detect(out, metas);
            assertThat(dets).hasSize(2);
            assertThat(dets.get(0)).hasSizeLessThanOrEqualTo(100).allSatisfy(d -> {
                assertThat(d.imageId()).isEqualTo(1);
                assertThat(d.x2()).isLessThanOrEqualTo(160.0001).isGreaterThan(d.x1());
                assertThat(d.y2()).isLessThanOrEqualTo(128.0001);
            });
        }
    }
}
