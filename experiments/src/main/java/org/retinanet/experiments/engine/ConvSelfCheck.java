package org.retinanet.experiments.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;

/**
 * A few small convolutions, output and input gradient, in float32 on a device against the same
 * convolutions in float64 on the host (which oneDNN does not compute). The shapes are those where
 * libtorch 2.5.1's oneDNN kernels were found wrong on this project's machines (stride 2, channel
 * counts 40-88, small maps), plus plain ones. Milliseconds on a CPU.
 */
public final class ConvSelfCheck {

    /** input N, C, H, W and stride; 64 output channels, 3x3, padding 1. */
    static final int[][] SHAPES = {
        {2, 48, 4, 5, 2},
        {2, 40, 8, 8, 2},
        {4, 64, 2, 2, 2},
        {4, 64, 4, 4, 1},
        {2, 16, 5, 7, 1},
        {4, 80, 3, 5, 2},
        {3, 80, 7, 2, 2},
        {3, 88, 5, 9, 1}
    };

    /** Relative to the largest reference value: float32 accumulation stays far below it. */
    public static final double TOLERANCE = 1e-4;

    /** One shape's outcome: the worst error of output and input gradient, relative to their scale. */
    public record Case(String shape, double outputError, double gradientError) {

        public boolean ok() {
            return outputError < TOLERANCE && gradientError < TOLERANCE;
        }

        @Override
        public String toString() {
            return String.format("%s: output %.1e, input gradient %.1e", shape, outputError, gradientError);
        }
    }

    /** Every case; the check passed when all are {@link Case#ok()}. */
    public record Result(List<Case> cases, double millis) {

        public boolean ok() {
            return cases.stream().allMatch(Case::ok);
        }

        public List<Case> wrong() {
            return cases.stream().filter(c -> !c.ok()).toList();
        }

        public double worst() {
            return cases.stream()
                    .mapToDouble(c -> Math.max(c.outputError(), c.gradientError()))
                    .max()
                    .orElse(0);
        }

        public String summary() {
            return ok()
                    ? String.format(
                            "%d/%d shapes correct (worst relative error %.1e, %.0f ms)",
                            cases.size(), cases.size(), worst(), millis)
                    : String.format("%d of %d shapes WRONG: %s", wrong().size(), cases.size(), wrong().get(0));
        }
    }

    /** A convolution as the engine computes it: output and input gradient for {@code x}, {@code weight}. */
    @FunctionalInterface
    public interface Convolution {
        NDArray[] outputAndInputGradient(NDArray x, NDArray weight, int stride);
    }

    /** The engine's own convolution, through DJL. */
    public static final Convolution ENGINE = ConvSelfCheck::engineConvolution;

    private ConvSelfCheck() {}

    /** Checks the engine's float32 convolution on {@code device}. */
    public static Result run(Device device) {
        return run(device, ENGINE);
    }

    public static Result run(Device device, Convolution convolution) {
        return run(device, convolution, SHAPES, 64);
    }

    /**
     * {@code shapes}: input N, C, H, W and stride each; {@code filters} 3x3 filters, padding 1. The
     * broader sweep in docs/benchmarks.md uses it with random shapes.
     */
    public static Result run(Device device, Convolution convolution, int[][] shapes, int filters) {
        long t0 = System.nanoTime();
        List<Case> cases = new ArrayList<>();
        // the device copies belong to this manager too and go with it
        try (NDManager host = NDManager.newBaseManager(Device.cpu())) {
            Engine.getInstance().setRandomSeed(7);
            for (int[] s : shapes) {
                NDArray x = host.randomNormal(new Shape(s[0], s[1], s[2], s[3]));
                NDArray w = host.randomNormal(new Shape(filters, s[1], 3, 3)).mul(0.1f);
                NDArray[] reference =
                        engineConvolution(x.toType(DataType.FLOAT64, true), w.toType(DataType.FLOAT64, true), s[4]);
                NDArray[] single =
                        convolution.outputAndInputGradient(x.toDevice(device, true), w.toDevice(device, true), s[4]);
                cases.add(new Case(
                        String.format("%dx%dx%dx%d stride %d", s[0], s[1], s[2], s[3], s[4]),
                        relativeError(single[0], reference[0]),
                        relativeError(single[1], reference[1])));
            }
        }
        return new Result(cases, (System.nanoTime() - t0) / 1e6);
    }

    private static NDArray[] engineConvolution(NDArray x0, NDArray w, int stride) {
        NDArray x = x0.duplicate();
        x.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray y = Conv2d.conv2d(x, w, null, new Shape(stride, stride), new Shape(1, 1), new Shape(1, 1), 1)
                    .singletonOrThrow();
            // a fixed, sparse upstream gradient, like a box loss's
            NDArray mask = y.getManager()
                    .arange((int) y.size())
                    .reshape(y.getShape())
                    .toType(DataType.INT32, false)
                    .mod(7)
                    .eq(0)
                    .toType(y.getDataType(), false);
            gc.backward(y.mul(mask).sum());
            return new NDArray[] {y.duplicate(), x.getGradient().duplicate()};
        }
    }

    /** max |a - b| / max |b|, with NaN or infinity in {@code a} counting as wrong. */
    static double relativeError(NDArray a, NDArray b) {
        double[] x =
                a.toDevice(Device.cpu(), false).toType(DataType.FLOAT64, false).toDoubleArray();
        double[] y =
                b.toDevice(Device.cpu(), false).toType(DataType.FLOAT64, false).toDoubleArray();
        double scale = 0;
        for (double v : y) {
            scale = Math.max(scale, Math.abs(v));
        }
        double worst = 0;
        for (int i = 0; i < x.length; i++) {
            if (!Double.isFinite(x[i])) {
                return Double.POSITIVE_INFINITY;
            }
            worst = Math.max(worst, Math.abs(x[i] - y[i]));
        }
        return scale == 0 ? worst : worst / scale;
    }
}
