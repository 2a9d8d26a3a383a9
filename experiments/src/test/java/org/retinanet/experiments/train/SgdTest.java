package org.retinanet.experiments.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Sgd against torch.optim.SGD's update rule, computed by hand in doubles: {@code d = g + wd * w},
 * {@code buf = d} on the first step and {@code buf = m * buf + d} after, {@code w -= lr * buf};
 * clip_grad_norm_ scales gradients by {@code max / (norm + 1e-6)} when the global norm exceeds max.
 * The loss {@code sum(c * w)} has gradient {@code c}, so every step's gradient is known exactly.
 */
class SgdTest {

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private Parameter parameter(String name, float... values) {
        Parameter p =
                Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).build();
        NDArray array = manager.create(values);
        array.setRequiresGradient(true);
        p.setArray(array);
        return p;
    }

    /** Backward of sum(c_i * w_i) over the parameters: the gradient of w_i is c_i. */
    private void backward(Map<String, Parameter> params, float[]... c) {
        try (NDManager step = manager.newSubManager();
                GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray loss = null;
            int i = 0;
            for (Parameter p : params.values()) {
                NDArray term = p.getArray().mul(step.create(c[i++])).sum();
                loss = loss == null ? term : loss.add(term);
            }
            gc.backward(loss);
        }
    }

    private static double[] doubles(NDArray a) {
        float[] f = a.toFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    private static void assertClose(double[] actual, double[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i])
                    .as("element %d", i)
                    .isCloseTo(expected[i], within(1e-6 * Math.max(1, Math.abs(expected[i]))));
        }
    }

    @Test
    void twoStepsWithMomentumWeightDecayAndAChangingLr() {
        double momentum = 0.9;
        double wd = 0.1;
        double[] w = {1.0, -2.0, 0.5};
        double[] c = {0.5, 1.0, -2.0};
        double[] v = {3.0, -1.0};
        double[] cv = {-0.25, 4.0};
        Map<String, Parameter> params = new LinkedHashMap<>();
        params.put("a", parameter("a", 1.0f, -2.0f, 0.5f));
        params.put("b", parameter("b", 3.0f, -1.0f));
        Sgd sgd = new Sgd(params, momentum, wd, null, manager);

        // step 1, lr 0.1: buf = d
        backward(params, new float[] {0.5f, 1.0f, -2.0f}, new float[] {-0.25f, 4.0f});
        double norm1 = sgd.step(0.1);
        double[] bufW = new double[3];
        double[] bufV = new double[2];
        for (int i = 0; i < 3; i++) {
            bufW[i] = c[i] + wd * w[i];
            w[i] -= 0.1 * bufW[i];
        }
        for (int i = 0; i < 2; i++) {
            bufV[i] = cv[i] + wd * v[i];
            v[i] -= 0.1 * bufV[i];
        }
        assertThat(norm1).isCloseTo(Math.sqrt(0.25 + 1 + 4 + 0.0625 + 16), within(1e-6));
        assertClose(doubles(params.get("a").getArray()), w);
        assertClose(doubles(params.get("b").getArray()), v);
        // gradients are zeroed after the step
        assertThat(doubles(params.get("a").getArray().getGradient())).containsOnly(0.0);
        assertThat(doubles(params.get("b").getArray().getGradient())).containsOnly(0.0);

        // step 2, lr 0.05 (torch keeps lr out of the buffer, so the change applies to the whole update)
        backward(params, new float[] {0.5f, 1.0f, -2.0f}, new float[] {-0.25f, 4.0f});
        sgd.step(0.05);
        for (int i = 0; i < 3; i++) {
            bufW[i] = momentum * bufW[i] + c[i] + wd * w[i];
            w[i] -= 0.05 * bufW[i];
        }
        for (int i = 0; i < 2; i++) {
            bufV[i] = momentum * bufV[i] + cv[i] + wd * v[i];
            v[i] -= 0.05 * bufV[i];
        }
        assertClose(doubles(params.get("a").getArray()), w);
        assertClose(doubles(params.get("b").getArray()), v);
        // the engine's fused kernel keeps lr * buf, for the lr of the last step
        assertClose(
                doubles(sgd.state().get("a")),
                java.util.Arrays.stream(bufW).map(x -> 0.05 * x).toArray());
        assertClose(
                doubles(sgd.state().get("b")),
                java.util.Arrays.stream(bufV).map(x -> 0.05 * x).toArray());
        assertThat(sgd.state().get(Sgd.LR_KEY).toDoubleArray()).containsExactly(0.05);
    }

    @Test
    void clipsByTheGlobalNormAndReportsTheNormBeforeClipping() {
        Map<String, Parameter> params = new LinkedHashMap<>();
        params.put("a", parameter("a", 1f, 1f));
        params.put("b", parameter("b", 1f));
        Sgd sgd = new Sgd(params, 0.0, 0.0, 2.0, manager);
        // gradients (3, 0) and (4): global norm 5 > 2, scaled by 2 / (5 + 1e-6)
        backward(params, new float[] {3f, 0f}, new float[] {4f});
        assertThat(sgd.step(0.5)).isCloseTo(5.0, within(1e-6));
        double scale = 2.0 / (5.0 + 1e-6);
        assertClose(doubles(params.get("a").getArray()), new double[] {1 - 0.5 * 3 * scale, 1});
        assertClose(doubles(params.get("b").getArray()), new double[] {1 - 0.5 * 4 * scale});

        // below the threshold: no scaling
        backward(params, new float[] {0.6f, 0f}, new float[] {0.8f});
        double[] a = doubles(params.get("a").getArray());
        double[] b = doubles(params.get("b").getArray());
        assertThat(sgd.step(1.0)).isCloseTo(1.0, within(1e-6));
        assertClose(doubles(params.get("a").getArray()), new double[] {a[0] - 0.6, a[1]});
        assertClose(doubles(params.get("b").getArray()), new double[] {b[0] - 0.8});
    }

    @Test
    void savedMomentumContinuesTheSameTrajectory() {
        Map<String, Parameter> one = new LinkedHashMap<>();
        one.put("a", parameter("a", 1f, -1f));
        Sgd first = new Sgd(one, 0.9, 1e-4, null, manager);
        backward(one, new float[] {2f, 1f});
        first.step(0.01);

        // a second optimizer over a copy of the weights, loaded from the first one's state
        Map<String, Parameter> two = new LinkedHashMap<>();
        two.put("a", parameter("a", one.get("a").getArray().toFloatArray()));
        Sgd second = new Sgd(two, 0.9, 1e-4, null, manager);
        second.load(first.state());

        backward(one, new float[] {-1f, 3f});
        first.step(0.02);
        backward(two, new float[] {-1f, 3f});
        second.step(0.02);
        assertThat(two.get("a").getArray().toFloatArray())
                .containsExactly(one.get("a").getArray().toFloatArray());
    }

    @Test
    void nonFiniteGradientLeavesTheWeightsAndNamesTheParameter() {
        Map<String, Parameter> params = new LinkedHashMap<>();
        params.put("good", parameter("good", 1f));
        params.put("bad", parameter("bad", 2f));
        Sgd sgd = new Sgd(params, 0.9, 1e-4, 35.0, manager);
        backward(params, new float[] {1f}, new float[] {Float.NaN});
        assertThat(sgd.step(0.1)).isNaN();
        assertThat(sgd.nonFiniteGradients()).containsExactly("bad");
        assertThat(params.get("good").getArray().toFloatArray()).containsExactly(1f);
        assertThat(params.get("bad").getArray().toFloatArray()).containsExactly(2f);
    }

    @Test
    void aNormThatOverflowsFloat32IsReportedAsSuchNotAsBadParameters() {
        Map<String, Parameter> params = new LinkedHashMap<>();
        params.put("small", parameter("small", 1f));
        params.put("huge", parameter("huge", 1f));
        Sgd sgd = new Sgd(params, 0.9, 1e-4, null, manager);
        // finite gradients whose squares overflow float32 (what a diverging run produces first)
        backward(params, new float[] {1f}, new float[] {3e20f});
        assertThat(sgd.step(0.1)).isInfinite();
        assertThat(sgd.nonFiniteGradients()).isEmpty();
        assertThat(sgd.nonFiniteReport()).contains("overflows float32").contains("largest |gradient| 3.00e+20 in huge");
        assertThat(params.get("huge").getArray().toFloatArray()).containsExactly(1f);

        backward(params, new float[] {Float.POSITIVE_INFINITY}, new float[] {1f});
        sgd.step(0.1);
        assertThat(sgd.nonFiniteReport()).isEqualTo("gradient (in 1 parameters, first: small)");
    }
}
