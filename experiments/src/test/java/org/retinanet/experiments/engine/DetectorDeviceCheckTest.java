package org.retinanet.experiments.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.retinanet.api.registry.Registry;

/**
 * The detector checks {@code doctor} runs on each GPU, run here with the host as the "device":
 * float32 against itself is exact, and fp16 against float32 differs, within its stated tolerances.
 */
class DetectorDeviceCheckTest {

    @Test
    void float32AgainstTheHostIsExactAndFp16IsWithinItsTolerances() {
        Registry registry = Registry.create(List.of());
        DetectorDeviceCheck.Result full = DetectorDeviceCheck.run(registry, Device.cpu());
        assertThat(full.ok()).as(full.summary()).isTrue();
        assertThat(full.gradientError()).isZero();

        DetectorDeviceCheck.Result half = DetectorDeviceCheck.runFp16(registry, Device.cpu());
        assertThat(half.ok()).as(half.summary()).isTrue();
        assertThat(half.gradientError())
                .as("fp16 is really compared: " + half.summary())
                .isPositive();
        assertThat(half.summary()).startsWith("ok (fp16 vs host fp32)");
    }
}
