package org.retinanet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A config's name, which {@code train} makes its default run directory of (runs/NAME), as mmdetection's work_dirs/NAME. */
class ConfigOptionsTest {

    @Test
    void aConfigIsNamedByItsPresetOrItsFileWithoutTheExtension() {
        assertThat(named("retinanet_r18_fpn_shapes")).isEqualTo("retinanet_r18_fpn_shapes");
        assertThat(named("configs/my.ablation.yaml")).isEqualTo("my.ablation");
        assertThat(named("/abs/path/gamma2.yml")).isEqualTo("gamma2");
        assertThat(named(".hidden")).isEqualTo(".hidden");
    }

    private static String named(String config) {
        ConfigOptions options = new ConfigOptions();
        options.config = config;
        return options.name();
    }
}
