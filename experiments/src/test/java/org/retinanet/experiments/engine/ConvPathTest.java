package org.retinanet.experiments.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

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
    private static final ConvSelfCheck.Convolution WRONG = (x, w, stride) -> {
        NDArray[] right = ConvSelfCheck.ENGINE.outputAndInputGradient(x, w, stride);
        NDArray grad = right[1];
        float scale = grad.abs().max().getFloat();
        NDArray bump = grad.zerosLike().reshape(-1);
        bump.set(new ai.djl.ndarray.index.NDIndex("0"), 0.01f * scale);
        return new NDArray[] {right[0], grad.add(bump.reshape(grad.getShape()))};
    };

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
