package org.retinanet.losses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.retinanet.api.config.BoxLossConfig;
import org.retinanet.api.config.ClassificationLossConfig;
import org.retinanet.api.registry.Registry;
import org.retinanet.api.spi.Kind;
import org.retinanet.losses.box.GhmrLossConfig;
import org.retinanet.losses.box.GiouLoss;
import org.retinanet.losses.box.SmoothL1LossConfig;
import org.retinanet.losses.cls.AlphaCeLossConfig;
import org.retinanet.losses.cls.FocalLossConfig;
import org.retinanet.losses.cls.FocalStarLossConfig;
import org.retinanet.losses.cls.GhmcLossConfig;
import org.retinanet.losses.cls.OhemLoss;
import org.retinanet.losses.cls.OhemLossConfig;
import org.retinanet.losses.cls.SigmoidFocalLoss;

/** Discovery through the SPI, YAML configs with defaults, and validation messages. */
class LossesPluginTest {

    private static Registry registry;
    private static ObjectMapper yaml;

    @BeforeAll
    static void discover() {
        registry = Registry.create(List.of());
        yaml = registry.mapper();
    }

    @Test
    void everyLossIsRegisteredUnderItsId() {
        assertThat(registry.ids().get(Kind.CLASSIFICATION_LOSS))
                .contains("focal", "ce", "alpha_ce", "focal_star", "ohem", "ghm_c");
        assertThat(registry.ids().get(Kind.BOX_LOSS)).contains("l1", "smooth_l1", "giou", "ghm_r");
    }

    @Test
    void yamlConfigsGetTheirDefaultsAndBuildTheLoss() throws Exception {
        ClassificationLossConfig focal = yaml.readValue("type: focal\n", ClassificationLossConfig.class);
        assertThat(focal).isEqualTo(new FocalLossConfig(2.0, 0.25, 1.0));
        SigmoidFocalLoss loss = (SigmoidFocalLoss) registry.classificationLoss(focal);
        assertThat(loss.gamma()).isEqualTo(2.0);
        assertThat(loss.alpha()).isEqualTo(0.25);

        ClassificationLossConfig noAlpha =
                yaml.readValue("type: focal\ngamma: 0.5\nalpha: -1\nlossWeight: 2\n", ClassificationLossConfig.class);
        assertThat(noAlpha).isEqualTo(new FocalLossConfig(0.5, -1.0, 2.0));

        assertThat(yaml.readValue("type: alpha_ce", ClassificationLossConfig.class))
                .isEqualTo(new AlphaCeLossConfig(0.75, 1.0));
        assertThat(yaml.readValue("type: focal_star", ClassificationLossConfig.class))
                .isEqualTo(new FocalStarLossConfig(4.0, 0.0, 0.25, 1.0));
        assertThat(yaml.readValue("type: ghm_c", ClassificationLossConfig.class))
                .isEqualTo(new GhmcLossConfig(30, 0.75, 1.0));
        OhemLossConfig ohem = (OhemLossConfig) yaml.readValue(
                "type: ohem\nbatchSize: 256\nnmsIou: 0.7\npositiveFraction: 0.25\n", ClassificationLossConfig.class);
        assertThat(ohem).isEqualTo(new OhemLossConfig(256, 0.7, 0.25, null, true, 1.0));
        assertThat(registry.classificationLoss(ohem)).isInstanceOf(OhemLoss.class);
        assertThat(registry.classificationLoss(ohem).needsBoxInputs()).isTrue();

        assertThat(yaml.readValue("type: smooth_l1", BoxLossConfig.class)).isEqualTo(new SmoothL1LossConfig(0.11, 1.0));
        assertThat(yaml.readValue("type: ghm_r\nlossWeight: 10", BoxLossConfig.class))
                .isEqualTo(new GhmrLossConfig(0.02, 10, 0.7, 10.0));
        BoxLossConfig giou = yaml.readValue("type: giou", BoxLossConfig.class);
        assertThat(registry.boxLoss(giou)).isInstanceOf(GiouLoss.class);
        assertThat(registry.boxLoss(giou).needsDecodedBoxes()).isTrue();
        assertThat(registry.boxLoss(yaml.readValue("type: l1", BoxLossConfig.class))
                        .needsDecodedBoxes())
                .isFalse();
    }

    @Test
    void unknownKeysAndBadValuesAreClearErrors() {
        assertThatThrownBy(() -> yaml.readValue("type: focal\ngama: 2", ClassificationLossConfig.class))
                .hasMessageContaining("gama");
        assertThatThrownBy(() -> new FocalLossConfig(-1.0, null, null))
                .hasMessageContaining("gamma")
                .hasMessageContaining("-1.0");
        assertThatThrownBy(() -> new FocalLossConfig(null, 1.5, null)).hasMessageContaining("alpha");
        assertThatThrownBy(() -> new FocalLossConfig(null, 0.0, null)).hasMessageContaining("alpha");
        assertThatThrownBy(() -> new AlphaCeLossConfig(-1.0, null)).hasMessageContaining("alpha");
        assertThatThrownBy(() -> new FocalStarLossConfig(0.0, null, null, null)).hasMessageContaining("gamma");
        assertThatThrownBy(() -> new OhemLossConfig(0, null, null, null, null, null))
                .hasMessageContaining("batchSize");
        assertThatThrownBy(() -> new OhemLossConfig(null, 1.5, null, null, null, null))
                .hasMessageContaining("nmsIou");
        assertThatThrownBy(() -> new OhemLossConfig(null, null, 0.0, null, null, null))
                .hasMessageContaining("positiveFraction");
        assertThatThrownBy(() -> new OhemLossConfig(null, null, null, 3.0, null, null))
                .hasMessageContaining("maxNegativesPerPositive");
        assertThatThrownBy(() -> new GhmcLossConfig(0, null, null)).hasMessageContaining("bins");
        assertThatThrownBy(() -> new GhmcLossConfig(null, 1.0, null)).hasMessageContaining("momentum");
        assertThatThrownBy(() -> new SmoothL1LossConfig(-0.1, null)).hasMessageContaining("beta");
        assertThatThrownBy(() -> new GhmrLossConfig(0.0, null, null, null)).hasMessageContaining("mu");
        assertThatThrownBy(() -> new FocalLossConfig(null, null, Double.NaN)).hasMessageContaining("lossWeight");
    }
}
