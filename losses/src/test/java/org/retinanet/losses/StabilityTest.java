package org.retinanet.losses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.retinanet.losses.TestArrays.assertAllFinite;
import static org.retinanet.losses.TestArrays.doubles;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.retinanet.api.loss.BoxInput;
import org.retinanet.api.loss.ClassificationInput;
import org.retinanet.api.loss.ClassificationLoss;
import org.retinanet.api.loss.LossValue;
import org.retinanet.losses.box.GhmrLoss;
import org.retinanet.losses.box.GiouLoss;
import org.retinanet.losses.box.SmoothL1Loss;
import org.retinanet.losses.cls.FocalStarLoss;
import org.retinanet.losses.cls.GhmcLoss;
import org.retinanet.losses.cls.OhemLoss;
import org.retinanet.losses.cls.OhemLossConfig;
import org.retinanet.losses.cls.SigmoidFocalLoss;

/** Extreme logits, images without positives, ignored anchors, zero-size boxes. */
class StabilityTest {

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private static Map<String, ClassificationLoss> classificationLosses() {
        return Map.of(
                "focal", new SigmoidFocalLoss("focal", 2, 0.25, 1),
                "focal gamma 0.5", new SigmoidFocalLoss("focal", 0.5, 0.25, 1),
                "ce", new SigmoidFocalLoss("ce", 0, -1, 1),
                "focal_star", new FocalStarLoss(4, 0, 0.25, 1),
                "ohem", new OhemLoss(new OhemLossConfig(4, 0.0, 0.5, null, false, null)),
                "ghm_c", new GhmcLoss(30, 0.75, 1));
    }

    /**
     * Image 0: logits of +-100 and +-1e4 on every kind of anchor, ignored anchors with extreme
     * logits; image 1: no positives at all. K = 2.
     */
    private ClassificationInput extremeInput() {
        float[] logits = {
            100,
            -100, // positive of class 0, confident and right
            -100,
            100, // positive of class 0, confident and wrong
            1e4f,
            -1e4f, // background, confident and wrong
            -1e4f,
            -1e4f, // background, right
            100,
            100, // ignored
            -100,
            100, // ignored
            // image 1
            -100,
            -100,
            100,
            100,
            0.5f,
            -3,
            2,
            2,
            -100,
            40,
            1e4f,
            1e4f
        };
        int[] labels = {0, 0, 2, 2, -1, -1, 2, 2, 2, 2, -1, 2};
        return new ClassificationInput(
                manager.create(logits, new Shape(2, 6, 2)), manager.create(labels, new Shape(2, 6)), null, null);
    }

    @Test
    void classificationLossesAreFiniteWithFiniteGradientsAndIgnoredAnchorsGetZeroGradient() {
        for (Map.Entry<String, ClassificationLoss> e : classificationLosses().entrySet()) {
            ClassificationInput in = extremeInput();
            NDArray x = in.logits();
            x.setRequiresGradient(true);
            LossValue value;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                value = e.getValue().compute(in);
                collector.backward(value.perImage().sum());
            }
            assertAllFinite(value.perImage(), e.getKey() + " loss");
            assertThat(java.util.Arrays.stream(doubles(value.perImage())).min().orElse(0))
                    .as(e.getKey() + " loss")
                    .isGreaterThanOrEqualTo(0);
            NDArray grad = x.getGradient();
            assertAllFinite(grad, e.getKey() + " gradient");
            double[] g = doubles(grad);
            // anchors 4, 5 and 10 (image 1, anchor 4) are ignored: 2 classes each
            for (int anchor : List.of(4, 5, 10)) {
                assertThat(g[2 * anchor])
                        .as(e.getKey() + " gradient of ignored anchor " + anchor)
                        .isZero();
                assertThat(g[2 * anchor + 1])
                        .as(e.getKey() + " gradient of ignored anchor " + anchor)
                        .isZero();
            }
        }
    }

    @Test
    void confidentWrongPredictionsCostTheirLogitAndIgnoredAnchorsCostNothing() {
        ClassificationInput in = extremeInput();
        double[] ce = doubles(new SigmoidFocalLoss("ce", 0, -1, 1).compute(in).perImage());
        // image 0: -log sigmoid(-100) for anchor 1 class 0, +100 for its class 1, 1e4 for anchor 2,
        // and about exp(-100) elsewhere
        assertThat(ce[0]).isCloseTo(100 + 100 + 1e4, org.assertj.core.api.Assertions.within(1e-2));
        // without the ignored anchors nothing changes
        float[] same = in.logits().toFloatArray();
        same[8] = same[9] = same[10] = same[11] = 0;
        ClassificationInput changed =
                new ClassificationInput(manager.create(same, new Shape(2, 6, 2)), in.labels(), null, null);
        double[] ce2 =
                doubles(new SigmoidFocalLoss("ce", 0, -1, 1).compute(changed).perImage());
        assertThat(ce2[0]).isEqualTo(ce[0]);
    }

    @Test
    void boxLossesAreFiniteForZeroSizeBoxesAndZeroForNonPositives() {
        float[] boxes = {
            10, 10, 10, 10, // zero size
            5, 5, 5, 9, // zero width
            0, 0, 4, 4,
            3, 3, 3, 3,
        };
        float[] targets = {
            10, 10, 10, 10, // the same point
            5, 5, 5, 9, // the same segment
            6, 6, 6, 6, // a point outside
            0, 0, 0, 0,
        };
        NDArray pred = manager.create(boxes, new Shape(1, 4, 4));
        NDArray weights = manager.create(new float[] {1, 1, 1, 0}, new Shape(1, 4));
        pred.setRequiresGradient(true);
        NDArray loss;
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            loss = new GiouLoss(1e-7, 1)
                    .compute(new BoxInput(null, null, weights, pred, manager.create(targets, new Shape(1, 4, 4))));
            collector.backward(loss.sum());
        }
        assertAllFinite(loss, "giou");
        assertAllFinite(pred.getGradient(), "giou gradient");
        assertThat(doubles(loss)[3]).isZero();

        NDArray deltas = manager.create(new float[] {0, 0, 0, 0, 1e4f, -1e4f, 0, 0}, new Shape(1, 2, 4));
        NDArray zero = manager.zeros(new Shape(1, 2, 4));
        NDArray w = manager.create(new float[] {1, 0}, new Shape(1, 2));
        for (var boxLoss : List.of(new SmoothL1Loss("smooth_l1", 0.11, 1), new GhmrLoss(0.02, 10, 0.7, 1))) {
            NDArray value = boxLoss.compute(new BoxInput(deltas, zero, w, null, null));
            assertAllFinite(value, boxLoss.getClass().getSimpleName());
            assertThat(doubles(value)[1]).isZero();
        }
    }
}
