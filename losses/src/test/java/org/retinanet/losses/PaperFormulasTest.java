package org.retinanet.losses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.retinanet.losses.TestArrays.assertClose;
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
import org.retinanet.api.loss.ClassificationLoss;
import org.retinanet.losses.cls.FocalStarLoss;
import org.retinanet.losses.cls.SigmoidFocalLoss;

/**
 * The paper's closed forms (Sec. 3, appendix A) and appendix B's derivatives, on single binary
 * outputs (K = 1): y = +1 is label 0, y = -1 is label 1 (background).
 */
class PaperFormulasTest {

    private static final float[] XT = {-6f, -2.5f, -1f, -0.2f, 0f, 0.4f, 1.5f, 3f, 7f};

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    /** Logits and labels for every x_t of XT with y = +1 then y = -1, as one image of 2 |XT| anchors. */
    private ClassificationInput binaryInput(float[] xt) {
        int n = xt.length;
        float[] logits = new float[2 * n];
        int[] labels = new int[2 * n];
        for (int i = 0; i < n; i++) {
            logits[i] = xt[i]; // y = +1: x = x_t
            labels[i] = 0;
            logits[n + i] = -xt[i]; // y = -1: x = -x_t
            labels[n + i] = 1;
        }
        NDArray x = manager.create(logits, new Shape(1, 2 * n, 1));
        return new ClassificationInput(x, manager.create(labels, new Shape(1, 2 * n)), null, null);
    }

    /** Per-anchor loss values (one image per anchor, so perImage lists them) and gradients w.r.t. x. */
    private double[][] lossAndGradient(ClassificationLoss loss, float[] xt) {
        ClassificationInput one = binaryInput(xt);
        int m = (int) one.labels().getShape().get(1);
        // one image per anchor so that perImage is the per-anchor loss
        NDArray x = one.logits().reshape(m, 1, 1);
        NDArray labels = one.labels().reshape(m, 1);
        x.setRequiresGradient(true);
        double[] values;
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray perImage =
                    loss.compute(new ClassificationInput(x, labels, null, null)).perImage();
            values = doubles(perImage);
            collector.backward(perImage.sum());
        }
        return new double[][] {values, doubles(x.getGradient())};
    }

    @Test
    void crossEntropyIsMinusLogPtAndItsGradientIsYTimesPtMinusOne() {
        double[][] lg = lossAndGradient(new SigmoidFocalLoss("ce", 0, -1, 1), XT);
        int n = XT.length;
        double[] loss = new double[2 * n];
        double[] grad = new double[2 * n];
        for (int i = 0; i < 2 * n; i++) {
            double y = i < n ? 1 : -1;
            double pt = sigmoid(XT[i % n]);
            loss[i] = -Math.log(pt);
            grad[i] = y * (pt - 1);
        }
        assertClose(lg[0], loss, 1e-6, 1e-6, "CE");
        assertClose(lg[1], grad, 0, 1e-5, "dCE/dx");
    }

    @Test
    void focalLossGradientIsAppendixB() {
        for (double gamma : new double[] {0.5, 1, 2, 5}) {
            double[][] lg = lossAndGradient(new SigmoidFocalLoss("focal", gamma, -1, 1), XT);
            int n = XT.length;
            double[] loss = new double[2 * n];
            double[] grad = new double[2 * n];
            for (int i = 0; i < 2 * n; i++) {
                double y = i < n ? 1 : -1;
                double pt = sigmoid(XT[i % n]);
                loss[i] = -Math.pow(1 - pt, gamma) * Math.log(pt);
                grad[i] = y * Math.pow(1 - pt, gamma) * (gamma * pt * Math.log(pt) + pt - 1);
            }
            assertClose(lg[0], loss, 1e-6, 1e-6, "FL gamma " + gamma);
            assertClose(lg[1], grad, 0, 1e-5, "dFL/dx gamma " + gamma);
        }
    }

    @Test
    void focalStarIsMinusLogSigmoidOverGammaAndItsGradientIsYTimesPStarMinusOne() {
        double[][] settings = {{2, 1}, {4, 0}, {1, -0.5}};
        for (double[] s : settings) {
            double gamma = s[0];
            double beta = s[1];
            double[][] lg = lossAndGradient(new FocalStarLoss(gamma, beta, -1, 1), XT);
            int n = XT.length;
            double[] loss = new double[2 * n];
            double[] grad = new double[2 * n];
            for (int i = 0; i < 2 * n; i++) {
                double y = i < n ? 1 : -1;
                double pStar = sigmoid(gamma * XT[i % n] + beta);
                loss[i] = -Math.log(pStar) / gamma;
                grad[i] = y * (pStar - 1);
            }
            assertClose(lg[0], loss, 1e-6, 1e-6, "FL* gamma " + gamma + " beta " + beta);
            assertClose(lg[1], grad, 0, 1e-5, "dFL*/dx gamma " + gamma + " beta " + beta);
        }
    }

    @Test
    void focalLossIs100xAnd1000xLowerThanCeForWellClassifiedExamples() {
        // p_t = 0.9 and 0.968, the paper's examples (Sec. 3.2)
        float[] xt = {(float) Math.log(0.9 / 0.1), (float) Math.log(0.968 / 0.032)};
        double[] ce = lossAndGradient(new SigmoidFocalLoss("ce", 0, -1, 1), xt)[0];
        double[] fl = lossAndGradient(new SigmoidFocalLoss("focal", 2, -1, 1), xt)[0];
        assertThat(ce[0] / fl[0]).isCloseTo(100, within(1e-2));
        assertThat(ce[1] / fl[1]).isCloseTo(1 / (0.032 * 0.032), within(0.5)); // ~977: "1000x"
        assertThat(ce[0]).isCloseTo(-Math.log(0.9), within(1e-6));
    }

    @Test
    void alphaWeightsPositivesByAlphaAndNegativesByOneMinusAlpha() {
        double[] ce = lossAndGradient(new SigmoidFocalLoss("ce", 0, -1, 1), XT)[0];
        double[] ace = lossAndGradient(new SigmoidFocalLoss("alpha_ce", 0, 0.75, 1), XT)[0];
        double[] expected = new double[ce.length];
        for (int i = 0; i < ce.length; i++) {
            expected[i] = (i < XT.length ? 0.75 : 0.25) * ce[i];
        }
        assertClose(ace, expected, 1e-6, 1e-7, "alpha-balanced CE");
    }
}
