package org.retinanet.experiments.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The start-up choice of convolutions, with the engine's real switch (oneDNN on or off through
 * {@code at::globalContext()}) and a convolution made wrong on purpose where a wrong kernel is
 * needed: no CPU at hand computes wrong numbers on demand.
 */
class ConvPathTest {

    private final TorchContext context = TorchContext.get();

    @AfterEach
    void restore() {
        context.setMkldnnEnabled(true);
    }

    /** The engine's convolution with one input-gradient element off by 1% of the gradient's scale. */
    private static final ConvSelfCheck.Convolution WRONG = wrongBy(ConvSelfCheck.ENGINE, 0.01f);

    /** {@code right} with one input-gradient element off by {@code fraction} of the gradient's scale. */
    private static ConvSelfCheck.Convolution wrongBy(ConvSelfCheck.Convolution right, float fraction) {
        return (x, w, stride) -> {
            NDArray[] out = right.outputAndInputGradient(x, w, stride);
            NDArray grad = out[1];
            float scale = grad.abs().max().getFloat();
            NDArray bump = grad.zerosLike().reshape(-1);
            bump.set(new ai.djl.ndarray.index.NDIndex("0"), fraction * scale);
            return new NDArray[] {out[0], grad.add(bump.reshape(grad.getShape()))};
        };
    }

    /**
     * Half types run their own kernels (oneDNN's bf16 primitives here), checked with their own
     * tolerance: what the engine computes passes, above float32's rounding (it really computed in
     * the half type), and a kernel 10% off is refused in one line that names the way on.
     */
    @ParameterizedTest
    @EnumSource(
            value = DataType.class,
            names = {"FLOAT16", "BFLOAT16"})
    void halfPrecisionConvolutionsAreCheckedInTheirOwnKernels(DataType type) {
        ConvSelfCheck.Result engine = ConvSelfCheck.run(Device.cpu(), type);
        assertThat(engine.ok()).as(engine.summary()).isTrue();
        assertThat(engine.worst()).as(engine.summary()).isGreaterThan(ConvSelfCheck.TOLERANCE);
        assertThat(engine.summary()).contains("in " + type);

        ConvSelfCheck.Result wrong = ConvSelfCheck.run(
                Device.cpu(), wrongBy(ConvSelfCheck.engine(type), 0.1f), ConvSelfCheck.SHAPES, 64, type);
        assertThat(wrong.ok()).isFalse();
        assertThatThrownBy(() -> ConvPath.requireCorrect(wrong, "no ISA cap"))
                .isInstanceOf(ConvPath.UnusableEngineException.class)
                .hasMessageContaining((type == DataType.BFLOAT16 ? "bf16" : "fp16") + " convolutions are wrong")
                .hasMessageContaining("not training on wrong numbers")
                .hasMessageContaining("train.precisionOnCpu=fp32");
        assertThat(ConvPath.requireCorrect(engine, "no ISA cap")).isSameAs(engine);
    }

    @Test
    void theSelfCheckCatchesAWrongInputGradientAndPassesTheEngine() {
        ConvSelfCheck.Result wrong = ConvSelfCheck.run(Device.cpu(), WRONG);
        assertThat(wrong.ok()).isFalse();
        assertThat(wrong.wrong()).hasSize(ConvSelfCheck.SHAPES.length);
        assertThat(wrong.wrong().get(0).gradientError()).isGreaterThan(0.009);
        assertThat(wrong.summary()).contains("WRONG").contains("input gradient");

        ConvSelfCheck.Result engine = ConvSelfCheck.run(Device.cpu());
        assertThat(engine.ok()).as(engine.summary()).isTrue();
        assertThat(engine.millis()).as("cheap enough to run at every start").isLessThan(5000);
    }

    @Test
    void oneDnnThatComputesWrongIsSwitchedOffForLibtorchsOwnKernels() {
        // wrong while oneDNN is on, right once the engine's switch is off
        Supplier<ConvSelfCheck.Result> check =
                () -> ConvSelfCheck.run(Device.cpu(), context.mkldnnEnabled() ? WRONG : ConvSelfCheck.ENGINE);
        ConvPath.Choice choice = ConvPath.choose(check, context);
        assertThat(choice.path()).isEqualTo(ConvPath.NATIVE);
        assertThat(choice.reason())
                .contains("oneDNN convolutions")
                .contains("are wrong on this CPU")
                .contains("doctor --probe");
        assertThat(context.mkldnnEnabled()).isFalse();
        assertThat(ConvSelfCheck.run(Device.cpu()).ok())
                .as("libtorch's native kernels")
                .isTrue();
    }

    @Test
    void oneDnnThatComputesRightStaysOn() {
        ConvPath.Choice choice = ConvPath.choose(() -> ConvSelfCheck.run(Device.cpu()), context);
        assertThat(choice.path()).isEqualTo(ConvPath.ONEDNN);
        assertThat(context.mkldnnEnabled()).isTrue();
    }

    @Test
    void whenEveryPathIsWrongThePlatformRefusesToTrain() {
        assertThatThrownBy(() -> ConvPath.choose(() -> ConvSelfCheck.run(Device.cpu(), WRONG), context))
                .isInstanceOf(ConvPath.UnusableEngineException.class)
                .hasMessageContaining("with oneDNN")
                .hasMessageContaining("with libtorch's native kernels")
                .hasMessageContaining("not training on wrong numbers");
    }

    @Test
    void determinismSwitchesAreReadBackFromLibtorch() {
        boolean cudnn = context.deterministicCudnn();
        boolean benchmark = context.benchmarkCudnn();
        boolean algorithms = context.deterministicAlgorithms();
        try {
            context.setDeterministicCudnn(!cudnn);
            context.setBenchmarkCudnn(!benchmark);
            context.setDeterministicAlgorithms(!algorithms);
            assertThat(context.deterministicCudnn()).isEqualTo(!cudnn);
            assertThat(context.benchmarkCudnn()).isEqualTo(!benchmark);
            assertThat(context.deterministicAlgorithms()).isEqualTo(!algorithms);
        } finally {
            context.setDeterministicCudnn(cudnn);
            context.setBenchmarkCudnn(benchmark);
            context.setDeterministicAlgorithms(algorithms);
        }
    }
}
