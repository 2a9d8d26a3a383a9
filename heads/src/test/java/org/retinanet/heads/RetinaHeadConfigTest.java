package org.retinanet.heads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.retinanet.api.box.modules.AnchorGeneratorConfig;
import org.retinanet.api.box.modules.BoxToolkitPlugin;
import org.retinanet.api.box.modules.DeltaXywhCoderConfig;
import org.retinanet.api.box.modules.MaxIouAssignerConfig;
import org.retinanet.api.config.ConfigLoader;
import org.retinanet.api.config.HeadConfig;
import org.retinanet.api.registry.DiscoveredPlugin;
import org.retinanet.api.registry.Registry;
import org.retinanet.api.registry.UserException;

class RetinaHeadConfigTest {

    /** The heads plugin with the platform's box toolkit, as the command line assembles them. */
    static Registry registry() {
        return Registry.createFrom(List.of(
                new DiscoveredPlugin(new HeadsPlugin(), null), new DiscoveredPlugin(new BoxToolkitPlugin(), null)));
    }

    private static ObjectMapper mapper() {
        return registry().mapper();
    }

    private static AnchorGeneratorConfig anchors(RetinaHeadConfig c) {
        return (AnchorGeneratorConfig) c.anchors();
    }

    private static MaxIouAssignerConfig assigner(RetinaHeadConfig c) {
        return (MaxIouAssignerConfig) c.assigner();
    }

    @Test
    void defaultsAreMmdetections() {
        RetinaHeadConfig c = RetinaHeadConfig.defaults();
        assertThat(c.stackedConvs()).isEqualTo(4);
        assertThat(c.featChannels()).isEqualTo(256);
        assertThat(anchors(c).strides()).containsExactly(8, 16, 32, 64, 128);
        assertThat(anchors(c).octaveBaseScale()).isEqualTo(4.0);
        assertThat(anchors(c).paddingMask()).isTrue();
        assertThat(assigner(c).posIouThr()).isEqualTo(0.5);
        assertThat(assigner(c).negIouThr()).isEqualTo(0.4);
        assertThat(assigner(c).lowQualityMatch()).isEqualTo("last_gt");
        assertThat(((DeltaXywhCoderConfig) c.coder()).maxRatio()).isEqualTo(Math.log(1000.0 / 16));
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
        assertThat(anchors(c).strides()).isEqualTo(List.of(8, 16, 32, 64));
        assertThat(anchors(c).ratios()).containsExactly(0.5, 1.0, 2.0);
        assertThat(c.test().maxPerImg()).isEqualTo(300);
        assertThat(c.test().scoreThr()).isEqualTo(0.05);
        assertThat(assigner(c).posIouThr()).isEqualTo(0.5);
    }

    @Test
    void unknownKeysAndBadValuesAreClearErrors() {
        assertThatThrownBy(() -> mapper().readValue("type: retina\nanchors:\n  octaveScale: 4\n", HeadConfig.class))
                .isInstanceOf(UnrecognizedPropertyException.class)
                .hasMessageContaining("octaveScale");
        assertThatThrownBy(() -> new MaxIouAssignerConfig(0.4, 0.5, null, null, null, null, null))
                .hasMessage("head.assigner.negIouThr must be in [0, posIouThr], got 0.5");
        assertThatThrownBy(() -> new RetinaHeadConfig(null, null, "bn", null, null, null, null, null, null, null))
                .hasMessage("head.norm 'bn' is not one of none, gn");
        assertThatThrownBy(() -> new RetinaHeadConfig(null, 48, "gn", 32, null, null, null, null, null, null))
                .hasMessageContaining("head.normGroups 32 does not divide head.featChannels 48");
        assertThatThrownBy(() -> new AnchorGeneratorConfig(
                        null, null, null, List.of(8, 16), null, List.of(List.of(32.0)), null, null, null, null, null))
                .hasMessage("head.anchors.sizes has 1 levels but head.anchors.strides has 2");
        assertThatThrownBy(() -> new MaxIouAssignerConfig(null, null, null, null, null, "first", null))
                .hasMessageContaining("head.assigner.lowQualityMatch 'first'");
        assertThatThrownBy(() -> new RetinaHeadConfig.Test(null, 0, null, null, null, null))
                .hasMessage("head.test.nmsPre must be positive, got 0");
    }

    @Test
    void assignerAndCoderAreNamedByIdAndDefaultToTheBuiltIns() throws Exception {
        String yaml = """
                type: retina
                assigner: {type: max_iou, posIouThr: 0.6, negIouThr: 0.3}
                coder: {type: delta_xywh, stds: [0.1, 0.1, 0.2, 0.2]}
                """;
        RetinaHeadConfig c = (RetinaHeadConfig) mapper().readValue(yaml, HeadConfig.class);
        assertThat(assigner(c).posIouThr()).isEqualTo(0.6);
        assertThat(((DeltaXywhCoderConfig) c.coder()).stds()).containsExactly(0.1, 0.1, 0.2, 0.2);
        assertThat(c.anchors()).isEqualTo(AnchorGeneratorConfig.defaults());
        // the same config without the ids is the same config
        RetinaHeadConfig untyped = (RetinaHeadConfig) mapper().readValue(
                        yaml.replace("type: max_iou, ", "").replace("type: delta_xywh, ", ""), HeadConfig.class);
        assertThat(untyped).isEqualTo(c);
    }

    @Test
    void anUnknownAssignerOrCoderIdIsOneConfigErrorListingTheKnownIds() {
        Registry registry = registry();
        for (String key : List.of("assigner", "coder")) {
            ObjectNode tree = (ObjectNode) new ObjectMapper()
                    .valueToTree(java.util.Map.of("type", "retina", key, java.util.Map.of("type", "atss")));
            assertThatThrownBy(() -> new ConfigLoader.Resolved(tree, "x.yaml").bind(registry, HeadConfig.class))
                    .isInstanceOf(UserException.class)
                    .hasMessage("config x.yaml: unknown " + (key.equals("coder") ? "box coder" : "assigner")
                            + " 'atss' at " + key + ", known: " + (key.equals("coder") ? "delta_xywh" : "max_iou"));
        }
    }
}
