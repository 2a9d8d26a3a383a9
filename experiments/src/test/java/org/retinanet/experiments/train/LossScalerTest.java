package org.retinanet.experiments.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;
import org.retinanet.experiments.config.LossScaleConfig;
import org.retinanet.experiments.config.Precision;
import org.retinanet.experiments.config.TrainConfig;

/** The loss scale follows torch GradScaler's rules, and its state carries a run across a restart. */
class LossScalerTest {

    @Test
    void defaultsAreTorchGradScalersAsMmdetectionsDynamicLossScaleUsesThem() {
        LossScaleConfig d = LossScaleConfig.defaults();
        assertThat(d.dynamic()).isTrue();
        assertThat(d.init()).isEqualTo(65536.0);
        assertThat(d.growthFactor()).isEqualTo(2.0);
        assertThat(d.backoffFactor()).isEqualTo(0.5);
        assertThat(d.growthInterval()).isEqualTo(2000);
    }

    @Test
    void backsOffOnOverflowAndGrowsAfterTheIntervalOfFiniteSteps() {
        try (NDManager manager = NDManager.newBaseManager()) {
            LossScaler s = new LossScaler(new LossScaleConfig(true, 1024.0, 2.0, 0.5, 3), manager);
            s.update(true);
            s.update(true);
            assertThat(s.scale()).isEqualTo(1024f);
            s.update(false); // resets the run of finite steps
            assertThat(s.lastStepSkipped()).isTrue();
            assertThat(s.scale()).isEqualTo(512f);
            s.update(true);
            s.update(true);
            assertThat(s.scale()).isEqualTo(512f);
            s.update(true);
            assertThat(s.lastStepSkipped()).isFalse();
            assertThat(s.scale()).isEqualTo(1024f);
            assertThat(s.skippedSteps()).isEqualTo(1);
        }
    }

    @Test
    void aStaticScaleNeverChangesButStillCountsSkippedSteps() {
        try (NDManager manager = NDManager.newBaseManager()) {
            LossScaler s = new LossScaler(new LossScaleConfig(false, 512.0, null, null, 1), manager);
            s.update(false);
            s.update(true);
            s.update(true);
            assertThat(s.scale()).isEqualTo(512f);
            assertThat(s.skippedSteps()).isEqualTo(1);
        }
    }

    @Test
    void stateRestoresTheScaleTheRunOfFiniteStepsAndTheSkips() {
        try (NDManager manager = NDManager.newBaseManager()) {
            LossScaleConfig config = new LossScaleConfig(true, 1024.0, 2.0, 0.5, 3);
            LossScaler a = new LossScaler(config, manager);
            a.update(false);
            a.update(true);
            a.update(true);
            LossScaler b = new LossScaler(config, manager);
            b.loadState(a.state());
            a.update(true);
            b.update(true);
            assertThat(b.scale()).isEqualTo(a.scale()).isEqualTo(1024f);
            assertThat(b.skippedSteps()).isEqualTo(1);
        }
    }

    @Test
    void badSettingsAreOneClearError() {
        assertThatThrownBy(() -> new LossScaleConfig(true, 0.0, null, null, null))
                .hasMessageContaining("train.lossScale.init");
        assertThatThrownBy(() -> new LossScaleConfig(true, null, 1.0, null, null))
                .hasMessageContaining("train.lossScale.growthFactor");
        assertThatThrownBy(() -> new LossScaleConfig(true, null, null, 1.5, null))
                .hasMessageContaining("train.lossScale.backoffFactor");
        assertThatThrownBy(() -> new LossScaleConfig(true, null, null, null, 0))
                .hasMessageContaining("train.lossScale.growthInterval");
    }

    @Test
    void precisionSettingsParseAndOnlyFp16IsLossScaled() {
        assertThat(Precision.parse("FP16", "x")).isEqualTo(Precision.FP16);
        assertThat(Precision.parse("bf16", "x")).isEqualTo(Precision.BF16);
        assertThatThrownBy(() -> Precision.parse("half", "train.precision"))
                .hasMessageContaining("train.precision must be fp32, fp16 or bf16, got 'half'");
        assertThat(Precision.FP16.needsLossScale()).isTrue();
        assertThat(Precision.BF16.needsLossScale()).isFalse();
        assertThat(Precision.BF16.isHalf()).isTrue();
        TrainConfig amp = new TrainConfig(
                null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, "fp16", "fp32", null);
        assertThat(amp.precisionOn(ai.djl.Device.cpu())).isEqualTo(Precision.FP32);
        assertThat(amp.precisionOn(ai.djl.Device.gpu(0))).isEqualTo(Precision.FP16);
        assertThat(TrainConfig.defaults().precisionOn(ai.djl.Device.gpu(0))).isEqualTo(Precision.FP32);
    }
}
