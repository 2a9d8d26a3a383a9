package org.retinanet.losses.cls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.retinanet.losses.TestArrays.doubles;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.retinanet.api.loss.ClassificationInput;
import org.retinanet.api.loss.LossValue;

/** The OHEM loss end to end: which anchors' CE is summed, the own normaliser, the box-loss term. */
class OhemLossTest {

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private static double ce(double x, boolean target) {
        double xt = target ? x : -x;
        return Math.log1p(Math.exp(-xt));
    }

    /** K = 1: label 0 positive, 1 background, -1 ignored; one logit per anchor. */
    @Test
    void sumsTheCeOfTheKeptAnchorsAndNormalisesByTheirNumber() {
        float[] x = {
            -2, 3, 0.5f, -4, 6, 1, // image 0
            -1, -1, -1, -1, -1, -1
        }; // image 1: all ignored but one
        int[] labels = {0, 1, 1, 1, 1, -1, -1, -1, -1, 0, -1, -1};
        float[] boxLoss = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0.7f, 0, 0};
        NDArray logits = manager.create(x, new Shape(2, 6, 1));
        ClassificationInput input = new ClassificationInput(
                logits, manager.create(labels, new Shape(2, 6)), manager.create(boxLoss, new Shape(2, 6)), null);
        OhemLoss loss = new OhemLoss(new OhemLossConfig(3, 0.0, null, null, true, 2.0));
        assertThat(loss.needsBoxInputs()).isTrue();
        logits.setRequiresGradient(true);
        LossValue value;
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            value = loss.compute(input);
            collector.backward(value.perImage().sum());
        }
        // image 0 CE: a0 = ce(-2, pos) 2.13, a1 = ce(3, neg) 3.05, a2 0.97, a3 0.018, a4 6.0: keep 4, 1, 0
        double expected0 = ce(6, false) + ce(3, false) + ce(-2, true);
        assertThat(doubles(value.perImage())[0]).isCloseTo(2 * expected0, within(1e-5));
        assertThat(doubles(value.perImage())[1]).isCloseTo(2 * ce(-1, true), within(1e-5)); // box loss not in it
        assertThat(doubles(value.ownNormalizer())).containsExactly(3, 1);
        double[] grad = doubles(logits.getGradient());
        assertThat(grad[2]).isZero(); // not kept
        assertThat(grad[3]).isZero();
        assertThat(grad[5]).isZero(); // ignored
        assertThat(grad[4]).isGreaterThan(0);
        assertThat(grad[0]).isLessThan(0);
    }

    @Test
    void theBoxLossOfPositivesRaisesTheirRank() {
        float[] x = {-0.5f, 2, 2.5f}; // CE: pos 0.97 (+ box 2 = 2.97), neg 2.13, neg 2.58
        int[] labels = {0, 1, 1};
        NDArray logits = manager.create(x, new Shape(1, 3, 1));
        NDArray labelArray = manager.create(labels, new Shape(1, 3));
        NDArray boxLoss = manager.create(new float[] {2f, 0, 0}, new Shape(1, 3));
        ClassificationInput input = new ClassificationInput(logits, labelArray, boxLoss, null);
        double with = doubles(new OhemLoss(new OhemLossConfig(1, 0.0, null, null, true, null))
                .compute(input)
                .perImage())[0];
        double without = doubles(new OhemLoss(new OhemLossConfig(1, 0.0, null, null, false, null))
                .compute(input)
                .perImage())[0];
        assertThat(with).isCloseTo(ce(-0.5, true), within(1e-5));
        assertThat(without).isCloseTo(ce(2.5, false), within(1e-5));
    }

    @Test
    void nmsUsesThePredictedBoxes() {
        float[] x = {3, 2.9f, 1}; // all negatives, losses descending
        NDArray logits = manager.create(x, new Shape(1, 3, 1));
        NDArray labels = manager.create(new int[] {1, 1, 1}, new Shape(1, 3));
        NDArray boxes = manager.create(new float[] {0, 0, 10, 10, 0, 0, 10, 11, 50, 50, 60, 60}, new Shape(1, 3, 4));
        OhemLoss loss = new OhemLoss(new OhemLossConfig(2, 0.5, null, null, false, null));
        double value = doubles(loss.compute(new ClassificationInput(logits, labels, null, boxes))
                .perImage())[0];
        assertThat(value).isCloseTo(ce(3, false) + ce(1, false), within(1e-5));
    }

    @Test
    void missingBoxInputsAreOneClearError() {
        NDArray logits = manager.zeros(new Shape(1, 3, 1));
        NDArray labels = manager.create(new int[] {1, 1, 1}, new Shape(1, 3));
        OhemLoss loss = new OhemLoss(OhemLossConfig.defaults());
        assertThatThrownBy(() -> loss.compute(new ClassificationInput(logits, labels, null, null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("boxLoss");
        OhemLoss noBoxLoss = new OhemLoss(new OhemLossConfig(null, null, null, null, false, null));
        assertThatThrownBy(() -> noBoxLoss.compute(new ClassificationInput(logits, labels, null, null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("predictedBoxes");
        OhemLoss nothing = new OhemLoss(new OhemLossConfig(null, 0.0, null, null, false, null));
        assertThat(nothing.needsBoxInputs()).isFalse();
    }
}
