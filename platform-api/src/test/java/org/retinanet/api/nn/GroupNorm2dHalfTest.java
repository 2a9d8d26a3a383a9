package org.retinanet.api.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.retinanet.api.model.TorchNames;

/**
 * GroupNorm2d on float16 or bfloat16 input keeps float32 parameters, returns half, and agrees with its
 * float32 forward and backward on the same (half-representable) input to half precision's rounding.
 */
class GroupNorm2dHalfTest {

    /** Measured (2026-12-01): output 4.6e-3 / 3.8e-2, weight gradient 4.4e-4 / 2.8e-3 (fp16 / bf16). */
    @ParameterizedTest
    @CsvSource({"FLOAT16, 2e-2, 1e-2", "BFLOAT16, 1e-1, 2e-2"})
    void halfInputGivesHalfOutputAndFloat32ParameterGradientsCloseToFloat32(
            DataType type, double absolute, double relative) {
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(3);
            Shape shape = new Shape(2, 8, 5, 5);
            GroupNorm2d gn = GroupNorm2d.builder().setGroups(4).setChannels(8).build();
            gn.initialize(manager, DataType.FLOAT32, shape);
            Map<String, Parameter> p = TorchNames.parameters(gn);
            p.get("weight").getArray().set(new float[] {0.5f, 1f, 1.5f, 2f, -1f, 3f, 0.25f, 1f});
            p.get("bias").getArray().set(new float[] {0f, 0.1f, -0.2f, 0.3f, 1f, -1f, 0.5f, 0f});
            // half-representable input, so that both runs see the same numbers
            NDArray x32 = HalfPrecision.cast(manager.randomNormal(1, 3, shape, DataType.FLOAT32), type)
                    .toType(DataType.FLOAT32, false);
            NDArray upstream = manager.randomNormal(shape);

            Result half = run(gn, x32, type, upstream, p);
            Result full = run(gn, x32, DataType.FLOAT32, upstream, p);

            assertThat(half.outType).isEqualTo(type);
            assertThat(half.gammaGradType).isEqualTo(DataType.FLOAT32);
            assertThat(maxAbsDiff(half.out, full.out)).as("output").isLessThan(absolute);
            assertThat(maxRelDiff(half.gammaGrad, full.gammaGrad))
                    .as("weight gradient")
                    .isLessThan(relative);
            assertThat(maxRelDiff(half.betaGrad, full.betaGrad))
                    .as("bias gradient")
                    .isLessThan(relative);
            assertThat(maxAbsDiff(half.inputGrad, full.inputGrad))
                    .as("input gradient")
                    .isLessThan(absolute);
        }
    }

    private record Result(
            float[] out,
            DataType outType,
            float[] gammaGrad,
            DataType gammaGradType,
            float[] betaGrad,
            float[] inputGrad) {}

    private static Result run(GroupNorm2d gn, NDArray x32, DataType type, NDArray upstream, Map<String, Parameter> p) {
        NDArray weight = p.get("weight").getArray();
        NDArray bias = p.get("bias").getArray();
        NDArray input = type == DataType.FLOAT32 ? x32.duplicate() : HalfPrecision.cast(x32, type);
        input.setRequiresGradient(true);
        NDArray y;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            y = gn.forward(new ParameterStore(x32.getManager(), false), new NDList(input), true)
                    .singletonOrThrow();
            gc.backward(HalfPrecision.toFloat32(y).mul(upstream).sum());
        }
        Result r = new Result(
                y.toType(DataType.FLOAT32, false).toFloatArray(),
                HalfPrecision.dataType(y),
                weight.getGradient().toFloatArray(),
                weight.getGradient().getDataType(),
                bias.getGradient().toFloatArray(),
                input.getGradient().toType(DataType.FLOAT32, false).toFloatArray());
        weight.getGradient().subi(weight.getGradient());
        bias.getGradient().subi(bias.getGradient());
        return r;
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    private static double maxRelDiff(float[] a, float[] b) {
        double scale = 1e-12;
        for (float v : b) {
            scale = Math.max(scale, Math.abs(v));
        }
        return maxAbsDiff(a, b) / scale;
    }
}
