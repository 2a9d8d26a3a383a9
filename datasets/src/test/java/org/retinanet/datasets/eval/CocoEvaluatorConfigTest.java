package org.retinanet.datasets.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.jsontype.NamedType;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.retinanet.api.config.EvaluatorConfig;
import org.retinanet.api.spi.EvaluatorFactory;
import org.retinanet.api.spi.Kind;

/** Config records of the coco and voc evaluators, and their factories. */
class CocoEvaluatorConfigTest {

    private static ObjectMapper mapper() {
        ObjectMapper m = new ObjectMapper();
        for (EvaluatorFactory<?> f : EvaluatorFactories.all()) {
            m.registerSubtypes(new NamedType(f.configType(), f.id()));
        }
        return m;
    }

    @Test
    void factoriesHaveStableIds() {
        assertThat(EvaluatorFactories.all()).extracting(EvaluatorFactory::id).containsExactly("coco", "voc");
        assertThat(EvaluatorFactories.all()).extracting(EvaluatorFactory::kind).containsOnly(Kind.EVALUATOR);
    }

    @Test
    void cocoDefaultsArePycocotoolsDefaults() throws Exception {
        CocoEvaluatorConfig c = (CocoEvaluatorConfig) mapper().readValue("{\"type\": \"coco\"}", EvaluatorConfig.class);
        assertThat(c.iouType()).isEqualTo("bbox");
        assertThat(c.maxDets()).containsExactly(1, 10, 100);
        assertThat(c.useCats()).isTrue();
        assertThat(c.areaRanges()).isEqualTo(CocoEvaluatorConfig.COCO_AREA_RANGES);
        assertThat(c.threads()).isBetween(1, 2);
        assertThat(new CocoEvaluatorFactory().create(c)).isInstanceOf(CocoEvaluator.class);
    }

    @Test
    void cocoConfigReadsOverridesAndRejectsBadValues() throws Exception {
        CocoEvaluatorConfig c = (CocoEvaluatorConfig) mapper().readValue(
                        "{\"type\": \"coco\", \"maxDets\": [1, 10, 300], \"threads\": 1}", EvaluatorConfig.class);
        assertThat(c.maxDets()).containsExactly(1, 10, 300);
        assertThatThrownBy(() -> new CocoEvaluatorConfig("segm", null, null, null, null))
                .hasMessage("iouType: only 'bbox' is supported, got 'segm'");
        assertThatThrownBy(() -> new CocoEvaluatorConfig(null, List.of(10, 1, 100), null, null, null))
                .hasMessage("maxDets: need three increasing positive counts, got [10, 1, 100]");
        assertThatThrownBy(() -> new CocoEvaluatorConfig(null, null, false, null, null))
                .hasMessageStartingWith("useCats:");
        assertThatThrownBy(() -> new CocoEvaluatorConfig(
                        null, null, null, List.of(new CocoEvaluatorConfig.AreaRange("all", 0.0, 1e10)), null))
                .hasMessage("areaRanges: need exactly all, small, medium, large in this order, got [all]");
        assertThatThrownBy(() -> new CocoEvaluatorConfig.AreaRange("small", 5.0, 1.0))
                .hasMessage("areaRanges.small: need min <= max, got [5.0, 1.0]");
        assertThatThrownBy(() -> mapper().readValue("{\"type\": \"coco\", \"maxdets\": [1]}", EvaluatorConfig.class))
                .hasMessageContaining("maxdets");
    }

    @Test
    void vocDefaultsAndValidation() throws Exception {
        VocEvaluatorConfig v = (VocEvaluatorConfig) mapper().readValue("{\"type\": \"voc\"}", EvaluatorConfig.class);
        assertThat(v).isEqualTo(new VocEvaluatorConfig(0.5, false, false));
        VocEvaluatorConfig v07 = (VocEvaluatorConfig)
                mapper().readValue("{\"type\": \"voc\", \"use07Metric\": true}", EvaluatorConfig.class);
        assertThat(v07.use07Metric()).isTrue();
        assertThatThrownBy(() -> new VocEvaluatorConfig(1.5, null, null))
                .hasMessage("iouThreshold: must be in (0, 1], got 1.5");
    }
}
