package org.retinanet.experiments.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.retinanet.api.registry.Registry;
import org.retinanet.experiments.config.Precision;

/**
 * The detector checks {@code doctor} runs on each GPU, run here with the host as the "device":
 * float32 against itself is exact, and fp16 and bf16 against float32 differ, within their stated
 * tolerances.
 */
class DetectorDeviceCheckTest {

    @Test
    void float32AgainstTheHostIsExactAndHalfPrecisionsAreWithinTheirTolerances() {
        Registry registry = Registry.create(List.of());
        DetectorDeviceCheck.Result full = DetectorDeviceCheck.run(registry, Device.cpu());
        assertThat(full.ok()).as(full.summary()).isTrue();
        assertThat(full.gradientError()).isZero();

        for (Precision precision : List.of(Precision.FP16, Precision.BF16)) {
            DetectorDeviceCheck.Result half = DetectorDeviceCheck.runHalf(registry, Device.cpu(), precision);
            assertThat(half.ok()).as(half.summary()).isTrue();
            assertThat(half.gradientError())
                    .as(precision + " is really compared: " + half.summary())
                    .isPositive();
            assertThat(half.summary()).startsWith("ok (" + precision + " vs host fp32)");
        }
    }
}
