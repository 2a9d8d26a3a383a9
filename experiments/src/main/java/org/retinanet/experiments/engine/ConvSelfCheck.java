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
import org.retinanet.api.nn.HalfPrecision;

/**
 * A few small convolutions, output and input gradient, in float32 (or a half type) on a device
 * against the same convolutions in float64 on the host (which oneDNN does not compute). The shapes
 * are those where libtorch 2.5.1's oneDNN kernels were found wrong on this project's machines
 * (stride 2, channel counts 40-88, small maps), plus plain ones. Milliseconds on a CPU.
 *
 * <p>Half types run other kernels than float32 (oneDNN's bf16 primitives on AVX-512 BF16), so a
 * run that computes in one checks them too. Their inputs are rounded to the type first, so the
 * float64 reference sees the same numbers; what is left is the output's own rounding.
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

    /**
     * The same for a half type: a few roundings of the output (fp16 2^-11, bf16 2^-8 relative),
     * far below what a wrong kernel gives (order 1). Measured worst on the AVX-512 BF16 machine
     * (2026-12-01): 9.0e-4 in fp16, 3.7e-3 in bf16.
     */
    public static double tolerance(DataType type) {
        return switch (type) {
            case FLOAT16 -> 5e-3;
            case BFLOAT16 -> 2e-2;
            default -> TOLERANCE;
        };
    }

    /** One shape's outcome: the worst error of output and input gradient, relative to their scale. */
    public record Case(String shape, double outputError, double gradientError, double tolerance) {

        public Case(String shape, double outputError, double gradientError) {
            this(shape, outputError, gradientError, TOLERANCE);
        }

        public boolean ok() {
            return outputError < tolerance && gradientError < tolerance;
        }

        @Override
        public String toString() {
            return String.format("%s: output %.1e, input gradient %.1e", shape, outputError, gradientError);
        }
    }

    /** Every case; the check passed when all are {@link Case#ok()}. */
    public record Result(List<Case> cases, double millis, DataType type) {

        public Result(List<Case> cases, double millis) {
            this(cases, millis, DataType.FLOAT32);
        }

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
            String in = type == DataType.FLOAT32 ? "" : " in " + type;
            return ok()
                    ? String.format(
                            "%d/%d shapes correct%s (worst relative error %.1e, %.0f ms)",
                            cases.size(), cases.size(), in, worst(), millis)
                    : String.format("%d of %d shapes WRONG%s: %s", wrong().size(), cases.size(), in, wrong().get(0));
        }
    }

    /**
     * A convolution as the engine computes it: output and input gradient for {@code x},
     * {@code weight} (float32 or float64 on the host), as float32 (float64) arrays.
     */
    @FunctionalInterface
    public interface Convolution {
        NDArray[] outputAndInputGradient(NDArray x, NDArray weight, int stride);
    }

    /** The engine's own convolution, through DJL, in its inputs' type. */
    public static final Convolution ENGINE = (x, w, stride) -> engineConvolution(x, w, stride, x.getDataType());

    /** The engine's convolution computed in {@code type}; the inputs should be representable in it. */
    public static Convolution engine(DataType type) {
        return (x, w, stride) -> engineConvolution(x, w, stride, type);
    }

    private ConvSelfCheck() {}

    /** Checks the engine's float32 convolution on {@code device}. */
    public static Result run(Device device) {
        return run(device, ENGINE);
    }

    public static Result run(Device device, Convolution convolution) {
        return run(device, convolution, SHAPES, 64);
    }

    /** Checks the engine's convolution in {@code type} (float32, float16 or bfloat16) on {@code device}. */
    public static Result run(Device device, DataType type) {
        return run(device, engine(type), SHAPES, 64, type);
    }

    /**
     * {@code shapes}: input N, C, H, W and stride each; {@code filters} 3x3 filters, padding 1. The
     * broader sweep in docs/benchmarks.md uses it with random shapes.
     */
    public static Result run(Device device, Convolution convolution, int[][] shapes, int filters) {
        return run(device, convolution, shapes, filters, DataType.FLOAT32);
    }

    /** {@code type}: the inputs are rounded to it first, and the cases take its tolerance. */
    public static Result run(Device device, Convolution convolution, int[][] shapes, int filters, DataType type) {
        long t0 = System.nanoTime();
        List<Case> cases = new ArrayList<>();
        // the device copies belong to this manager too and go with it
        try (NDManager host = NDManager.newBaseManager(Device.cpu())) {
            Engine.getInstance().setRandomSeed(7);
            for (int[] s : shapes) {
                NDArray x = representable(host.randomNormal(new Shape(s[0], s[1], s[2], s[3])), type);
                NDArray w = representable(
                        host.randomNormal(new Shape(filters, s[1], 3, 3)).mul(0.1f), type);
                NDArray[] reference = engineConvolution(
                        x.toType(DataType.FLOAT64, true), w.toType(DataType.FLOAT64, true), s[4], DataType.FLOAT64);
                NDArray[] single =
                        convolution.outputAndInputGradient(x.toDevice(device, true), w.toDevice(device, true), s[4]);
                cases.add(new Case(
                        String.format("%dx%dx%dx%d stride %d", s[0], s[1], s[2], s[3], s[4]),
                        relativeError(single[0], reference[0]),
                        relativeError(single[1], reference[1]),
                        tolerance(type)));
            }
        }
        return new Result(cases, (System.nanoTime() - t0) / 1e6, type);
    }

    /** {@code x} (float32) rounded to {@code type} and back: the same numbers in either type. */
    private static NDArray representable(NDArray x, DataType type) {
        return type == DataType.FLOAT32 ? x : HalfPrecision.cast(x, type).toType(DataType.FLOAT32, false);
    }

    /**
     * Output and input gradient of a convolution computed in {@code type}, returned in float32
     * (float64 for float64): half arrays never reach DJL calls that pass their type to libtorch.
     */
    private static NDArray[] engineConvolution(NDArray x0, NDArray w0, int stride, DataType type) {
        NDArray x = HalfPrecision.cast(x0, type);
        if (x == x0) {
            x = x0.duplicate();
        }
        NDArray w = HalfPrecision.cast(w0, type);
        x.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray y = HalfPrecision.toFloat32(
                    Conv2d.conv2d(x, w, null, new Shape(stride, stride), new Shape(1, 1), new Shape(1, 1), 1)
                            .singletonOrThrow());
            // a fixed, sparse upstream gradient, like a box loss's
            NDArray mask = y.getManager()
                    .arange((int) y.size())
                    .reshape(y.getShape())
                    .toType(DataType.INT32, false)
                    .mod(7)
                    .eq(0)
                    .toType(y.getDataType(), false);
            gc.backward(y.mul(mask).sum());
            NDArray g = x.getGradient();
            return new NDArray[] {
                y.duplicate(), HalfPrecision.isHalf(g) ? g.toType(DataType.FLOAT32, false) : g.duplicate()
            };
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
