package org.retinanet.losses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.retinanet.losses.TestArrays.doubles;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.retinanet.api.loss.BoxInput;
import org.retinanet.api.loss.ClassificationInput;
import org.retinanet.api.loss.LossValue;
import org.retinanet.losses.box.GhmrLoss;
import org.retinanet.losses.cls.GhmcLoss;

/** GHM-C and GHM-R weights against hand computations of mmdetection's definitions. */
class GhmTest {

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private static double bce(double x, boolean target) {
        return Math.log1p(Math.exp(target ? -x : x));
    }

    /** K = 1: labels 0 positive, 1 background, -1 ignored. */
    private ClassificationInput input(float[] x, int[] labels) {
        return new ClassificationInput(
                manager.create(x, new Shape(1, x.length, 1)),
                manager.create(labels, new Shape(1, labels.length)),
                null,
                null);
    }

    @Test
    void ghmcWeightsFollowTheBinCountsAndTheirMovingAverageOverTwoCalls() {
        GhmcLoss loss = new GhmcLoss(10, 0.75, 1.0);
        int[] labels = {0, 0, 1, 1, 0, -1};
        // g = |sigmoid(x) - t|: 0.119, 0.182, 0.119 (bin 1); 0.5 exactly (bin 5, on its lower edge);
        // 0.953 (bin 9); the ignored anchor counts nowhere. tot = 5 valid elements.
        float[] x1 = {2, 1.5f, -2, 0, -3, 5};
        LossValue first = loss.compute(input(x1, labels));
        // EMA from 0: acc = 0.25 * count; 3 non-empty bins; weight = tot / acc / n
        double w1 = 5 / (0.25 * 3) / 3;
        double w5 = 5 / (0.25 * 1) / 3;
        double w9 = 5 / (0.25 * 1) / 3;
        double expected1 =
                w1 * (bce(2, true) + bce(1.5, true) + bce(-2, false)) + w5 * bce(0, false) + w9 * bce(-3, true);
        assertThat(doubles(first.perImage())[0]).isCloseTo(expected1, within(1e-4));
        assertThat(doubles(first.ownNormalizer())).containsExactly(5);
        assertThat(loss.histogram().accumulated()).containsExactly(0, 0.75, 0, 0, 0, 0.25, 0, 0, 0, 0.25);

        // second call: anchor 3 moves to bin 9 (g 0.953); bin 5 is empty now and keeps its average
        float[] x2 = {2, 1.5f, -2, 3, -3, 5};
        LossValue second = loss.compute(input(x2, labels));
        double acc1 = 0.75 * 0.75 + 0.25 * 3;
        double acc9 = 0.75 * 0.25 + 0.25 * 2;
        double expected2 = 5 / acc1 / 2 * (bce(2, true) + bce(1.5, true) + bce(-2, false))
                + 5 / acc9 / 2 * (bce(3, false) + bce(-3, true));
        assertThat(doubles(second.perImage())[0]).isCloseTo(expected2, within(1e-4));
        assertThat(loss.histogram().accumulated())
                .containsExactly(new double[] {0, acc1, 0, 0, 0, 0.25, 0, 0, 0, acc9}, within(1e-9));
    }

    @Test
    void ghmcWithoutMomentumUsesThisBatchsCountsAndSpansTheBatch() {
        GhmcLoss loss = new GhmcLoss(30, 0, 2.0);
        // two images, K = 2: every element counts; image 1 has no positives
        float[] x = {4, -4, 0.1f, -0.1f, 4, 4, -4, -4};
        int[] labels = {0, 2, 2, 2};
        LossValue value = loss.compute(new ClassificationInput(
                manager.create(x, new Shape(2, 2, 2)), manager.create(labels, new Shape(2, 2)), null, null));
        // g per element: image 0: (t=1, x=4) 0.018, (t=0, x=-4) 0.018, (t=0, 0.1) 0.525, (t=0, -0.1) 0.475
        // image 1: 0.982, 0.982, 0.018, 0.018; bins of 1/30: 0 (x4), 15 (0.525), 14 (0.475), 29 (x2)
        int tot = 8;
        double n = 4;
        double w0 = tot / 4.0 / n;
        double w14 = tot / 1.0 / n;
        double w15 = tot / 1.0 / n;
        double w29 = tot / 2.0 / n;
        double image0 = w0 * (bce(4, true) + bce(-4, false)) + w15 * bce(0.1, false) + w14 * bce(-0.1, false);
        double image1 = w29 * 2 * bce(4, false) + w0 * 2 * bce(-4, false);
        assertThat(doubles(value.perImage())).containsExactly(new double[] {2 * image0, 2 * image1}, within(1e-4));
        assertThat(doubles(value.ownNormalizer())).containsExactly(4, 4);
        // mmdetection's loss: sum(BCE w) / tot
        double mmdet = 2 * (image0 + image1) / tot;
        assertThat((doubles(value.perImage())[0] + doubles(value.perImage())[1]) / 8)
                .isCloseTo(mmdet, within(1e-5));
    }

    @Test
    void ghmrWeightsMakeTheBatchPositivesNormalisationEqualMmdetection() {
        double mu = 0.02;
        GhmrLoss loss = new GhmrLoss(mu, 10, 0, 1.0);
        float[] d = {
            0, 0.02f, 1, -0.01f, // positive: g 0 (bin 0), 0.707 (7), 0.9998 (9), 0.447 (4)
            0, 0, 1, 1, // positive: bins 0, 0, 9, 9
            5, 5, 5, 5
        }; // not a positive
        NDArray pred = manager.create(d, new Shape(1, 3, 4));
        NDArray target = manager.zeros(new Shape(1, 3, 4));
        NDArray weights = manager.create(new float[] {1, 1, 0}, new Shape(1, 3));
        double[] perAnchor = doubles(loss.compute(new BoxInput(pred, target, weights, null, null)));
        double n = 4; // non-empty bins 0, 4, 7, 9 with counts 3, 1, 1, 3
        double[] count = {3, 0, 0, 0, 1, 0, 0, 1, 0, 3};
        int[] bin = {0, 7, 9, 4, 0, 0, 9, 9};
        double avgFactor = 2; // sum over images of max(#positives, 1)
        double[] expected = new double[3];
        double mmdetSum = 0;
        for (int i = 0; i < 8; i++) {
            double asl1 = Math.sqrt(d[i] * (double) d[i] + mu * mu) - mu;
            expected[i / 4] += asl1 * avgFactor / (count[bin[i]] * n);
            mmdetSum += asl1 * (8 / (count[bin[i]] * n)); // tot = 4 * #positives = 8
        }
        assertThat(perAnchor).containsExactly(expected, within(1e-6));
        assertThat((perAnchor[0] + perAnchor[1]) / avgFactor).isCloseTo(mmdetSum / 8, within(1e-6));
    }

    @Test
    void binEdgesAreMmdetectionsFloat32Edges() {
        GradientHistogram h = GradientHistogram.forClassification(30, 0);
        float[] edges = h.edges();
        assertThat(edges).hasSize(31);
        assertThat(edges[15]).isEqualTo(0.5f);
        assertThat(edges[30]).isEqualTo(1.000001f);
        // an element exactly on an edge belongs to the bin above it; g = 1 is in the last bin
        NDArray g = manager.create(new float[] {edges[7], Math.nextDown(edges[7]), 1f, 0f});
        NDArray valid = g.gte(0);
        NDArray w = h.weights(g, valid, 4, manager);
        // 4 elements in 4 different bins (7, 6, 29, 0): weight 4 / 1 / 4 each
        assertThat(doubles(w)).containsExactly(1, 1, 1, 1);
        assertThat(h.accumulated()[7]).isEqualTo(1);
        assertThat(h.accumulated()[6]).isEqualTo(1);
        assertThat(h.accumulated()[29]).isEqualTo(1);
    }
}
