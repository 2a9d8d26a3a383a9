package org.retinanet.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Guards against libtorch 2.5.1's oneDNN convolutions on this project's AVX-512 machines: with the
 * AVX-512 kernels some shapes get wrong outputs (18% off for 2x40x8x8, stride 2) and wrong input
 * gradients (1-28% off, sometimes NaN); with the AVX2 kernels some get wrong input gradients
 * (4x80x3x5, stride 2). The build and the launcher cap oneDNN at AVX (ONEDNN_MAX_CPU_ISA); this
 * test fails if that protection is lost. Reference: the same convolution in float64, which oneDNN
 * does not handle.
 */
class ConvGradientRegressionTest {

    @ParameterizedTest
    @CsvSource({"2, 48, 4, 5, 2", "2, 40, 8, 8, 2", "4, 64, 2, 2, 2", "4, 64, 4, 4, 1", "2, 16, 5, 7, 1",
        "4, 80, 3, 5, 2", "3, 80, 7, 2, 2", "3, 88, 5, 9, 1"})
    void outputAndInputGradientMatchDoublePrecision(int n, int c, int h, int w, int stride) {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(7);
            NDArray x = m.randomNormal(new Shape(n, c, h, w));
            NDArray weight = m.randomNormal(new Shape(64, c, 3, 3)).mul(0.1f);
            float[][] single = outputAndInputGradient(x, weight, stride, DataType.FLOAT32);
            float[][] dbl = outputAndInputGradient(x, weight, stride, DataType.FLOAT64);
            assertClose("output", single[0], dbl[0]);
            assertClose("input gradient", single[1], dbl[1]);
        }
    }

    private static void assertClose(String what, float[] single, float[] dbl) {
        double scale = 0;
        for (float v : dbl) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < single.length; i++) {
            assertThat(Double.isFinite(single[i])).as("finite %s at %d", what, i).isTrue();
            assertThat(Math.abs(single[i] - dbl[i])).as("%s %d", what, i).isLessThan((float) (1e-4 * scale));
        }
    }

    private static float[][] outputAndInputGradient(NDArray x0, NDArray w0, int stride, DataType type) {
        NDArray x = x0.toType(type, true);
        NDArray w = w0.toType(type, true);
        x.setRequiresGradient(true);
        float[] output;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray y = Conv2d.conv2d(x, w, null, new Shape(stride, stride), new Shape(1, 1), new Shape(1, 1), 1).singletonOrThrow();
            // a fixed, sparse upstream gradient like a box loss's
            NDArray mask = y.getManager().arange((int) y.size()).reshape(y.getShape()).toType(DataType.INT32, false)
                    .mod(7).eq(0).toType(type, false);
            gc.backward(y.mul(mask).sum());
            output = y.toType(DataType.FLOAT32, false).toFloatArray();
        }
        return new float[][] {output, x.getGradient().toType(DataType.FLOAT32, false).toFloatArray()};
    }
}
