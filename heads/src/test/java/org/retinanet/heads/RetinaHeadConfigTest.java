package org.retinanet.heads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.jsontype.NamedType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.retinanet.api.config.HeadConfig;

class RetinaHeadConfigTest {

    private static ObjectMapper mapper() {
        ObjectMapper mapper = new ObjectMapper(new YAMLFactory());
        mapper.registerSubtypes(new NamedType(RetinaHeadConfig.class, RetinaHeadFactory.ID));
        return mapper;
    }

    @Test
    void defaultsAreMmdetections() {
        RetinaHeadConfig c = RetinaHeadConfig.defaults();
        assertThat(c.stackedConvs()).isEqualTo(4);
        assertThat(c.featChannels()).isEqualTo(256);
        assertThat(c.anchors().strides()).containsExactly(8, 16, 32, 64, 128);
        assertThat(c.anchors().octaveBaseScale()).isEqualTo(4.0);
        assertThat(c.anchors().paddingMask()).isTrue();
        assertThat(c.assigner().posIouThr()).isEqualTo(0.5);
        assertThat(c.assigner().negIouThr()).isEqualTo(0.4);
        assertThat(c.assigner().lowQualityMatch()).isEqualTo("last_gt");
        assertThat(c.coder().maxRatio()).isEqualTo(Math.log(1000.0 / 16));
        assertThat(c.test().maxPerImg()).isEqualTo(100);
        assertThat(RetinaHeadConfig.torchvision().test().maxPerImg()).isEqualTo(300);
    }

    @Test
    void readsPartialYamlWithNestedDefaults() throws Exception {
        String yaml = """
                type: retina
                norm: gn
                anchors:
                  truncateSizes: true
                  strides: [8, 16, 32, 64]
                test:
                  maxPerImg: 300
                """;
        HeadConfig parsed = mapper().readValue(yaml, HeadConfig.class);
        assertThat(parsed).isInstanceOf(RetinaHeadConfig.class);
        RetinaHeadConfig c = (RetinaHeadConfig) parsed;
        assertThat(c.norm()).isEqualTo("gn");
        assertThat(c.anchors().strides()).isEqualTo(List.of(8, 16, 32, 64));
        assertThat(c.anchors().ratios()).containsExactly(0.5, 1.0, 2.0);
        assertThat(c.test().maxPerImg()).isEqualTo(300);
        assertThat(c.test().scoreThr()).isEqualTo(0.05);
        assertThat(c.assigner().posIouThr()).isEqualTo(0.5);
    }

    @Test
    void unknownKeysAndBadValuesAreClearErrors() {
        assertThatThrownBy(() -> mapper().readValue("type: retina\nanchors:\n  octaveScale: 4\n", HeadConfig.class))
                .isInstanceOf(UnrecognizedPropertyException.class)
                .hasMessageContaining("octaveScale");
        assertThatThrownBy(() -> new RetinaHeadConfig.Assigner(0.4, 0.5, null, null, null, null, null))
                .hasMessage("head.assigner.negIouThr must be in [0, posIouThr], got 0.5");
        assertThatThrownBy(() -> new RetinaHeadConfig(null, null, "bn", null, null, null, null, null, null, null))
                .hasMessage("head.norm 'bn' is not one of none, gn");
        assertThatThrownBy(() -> new RetinaHeadConfig(null, 48, "gn", 32, null, null, null, null, null, null))
                .hasMessageContaining("head.normGroups 32 does not divide head.featChannels 48");
        assertThatThrownBy(() -> new RetinaHeadConfig.Anchors(
                        null, null, null, List.of(8, 16), null, List.of(List.of(32.0)), null, null, null, null, null))
                .hasMessage("head.anchors.sizes has 1 levels but head.anchors.strides has 2");
        assertThatThrownBy(() -> new RetinaHeadConfig.Assigner(null, null, null, null, null, "first", null))
                .hasMessageContaining("head.assigner.lowQualityMatch 'first'");
        assertThatThrownBy(() -> new RetinaHeadConfig.Test(null, 0, null, null, null, null))
                .hasMessage("head.test.nmsPre must be positive, got 0");
    }
}
