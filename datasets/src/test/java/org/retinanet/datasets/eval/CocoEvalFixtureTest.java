package org.retinanet.datasets.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.retinanet.api.data.EvaluationResult;

/** Every committed pycocotools fixture must be reproduced to 1e-9, through both entry points. */
class CocoEvalFixtureTest {

    private static final double TOL = 1e-9;

    static List<String> fixtures() {
        return CocoEvalFixtures.NAMES;
    }

    private static CocoEvaluatorConfig threads(int n) {
        return new CocoEvaluatorConfig(null, null, null, null, n);
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void statsAndSummaryMatchPycocotools(String name) {
        JsonNode c = CocoEvalFixtures.load(name);
        JsonNode ref = c.get("pycocotools");
        CocoEvalResult result = CocoEval.run(CocoEvalFixtures.problem(c), threads(1));

        double[] expected = CocoEvalFixtures.doubles(ref.get("stats"));
        double[] actual = result.stats();
        for (int i = 0; i < 12; i++) {
            // same operations in the same order as numpy (incl. its pairwise mean): bit-identical
            assertThat(actual[i])
                    .as("%s stats[%d] %s", name, i, CocoEvalResult.METRIC_NAMES.get(i))
                    .isEqualTo(expected[i]);
        }
        assertThat(result.summary()).isEqualTo(ref.get("summary").asText());
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void perCategoryPrecisionAndRecallMatchPycocotools(String name) {
        JsonNode c = CocoEvalFixtures.load(name);
        CocoEvalResult result = CocoEval.run(CocoEvalFixtures.problem(c), threads(2));
        CocoEvalParams params = result.params();
        int T = params.iouThrs.length;
        int R = params.recThrs.length;
        JsonNode perCategory = c.get("pycocotools").get("perCategory");
        assertThat(result.categoryIds()).hasSize(perCategory.size());
        for (int k = 0; k < perCategory.size(); k++) {
            JsonNode cat = perCategory.get(k);
            assertThat(result.categoryIds()[k]).isEqualTo(cat.get("id").asLong());
            for (int a = 0; a < 4; a++) {
                for (int m = 0; m < 3; m++) {
                    double[] p = new double[T * R];
                    int n = 0;
                    for (int t = 0; t < T; t++) {
                        for (int r = 0; r < R; r++) {
                            double v = result.precision(t, r, k, a, m);
                            if (v > -1) {
                                p[n++] = v;
                            }
                        }
                    }
                    assertThat(n == 0 ? -1 : NumpyMean.mean(p, n))
                            .as("%s cat %d precision a=%d m=%d", name, k, a, m)
                            .isCloseTo(cat.get("precisionMean").get(a).get(m).asDouble(), within(TOL));
                    double[] rc = new double[T];
                    int nr = 0;
                    for (int t = 0; t < T; t++) {
                        double v = result.recall(t, k, a, m);
                        if (v > -1) {
                            rc[nr++] = v;
                        }
                    }
                    assertThat(nr == 0 ? -1 : NumpyMean.mean(rc, nr))
                            .as("%s cat %d recall a=%d m=%d", name, k, a, m)
                            .isCloseTo(cat.get("recallMean").get(a).get(m).asDouble(), within(TOL));
                }
            }
            for (int t = 0; t < T; t++) {
                assertThat(result.recall(t, k, 0, 2))
                        .as("%s cat %d recall t=%d", name, k, t)
                        .isCloseTo(cat.get("recallByIou").get(t).asDouble(), within(TOL));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void evaluatorOnDatasetAndDetectionsMatchesPycocotools(String name) {
        JsonNode c = CocoEvalFixtures.load(name);
        JsonNode ref = c.get("pycocotools");
        EvaluationResult r = new CocoEvaluator(CocoEvaluatorConfig.defaults())
                .evaluate(CocoEvalFixtures.dataset(c), CocoEvalFixtures.detections(c));

        assertThat(r.metrics().keySet()).containsExactlyElementsOf(CocoEvalResult.METRIC_NAMES);
        double[] expected = CocoEvalFixtures.doubles(ref.get("stats"));
        int i = 0;
        for (Map.Entry<String, Double> e : r.metrics().entrySet()) {
            assertThat(e.getValue()).as("%s %s", name, e.getKey()).isCloseTo(expected[i++], within(TOL));
        }
        assertThat(r.summary()).isEqualTo(ref.get("summary").asText());
        assertThat(r.primary()).isEqualTo(r.metrics().get("AP"));
        // per-class AP: mean of precision over IoU and recall thresholds, area all, 100 dets (mmdet classwise)
        JsonNode perCategory = ref.get("perCategory");
        for (int k = 0; k < perCategory.size(); k++) {
            JsonNode cat = perCategory.get(k);
            String className = CocoEvalFixtures.categories(c).get(k).name();
            double ap = cat.get("precisionMean").get(0).get(2).asDouble();
            if (ap == -1) {
                assertThat(r.perClassAp().get(className))
                        .as("%s %s", name, className)
                        .isNaN();
            } else {
                assertThat(r.perClassAp().get(className))
                        .as("%s %s", name, className)
                        .isCloseTo(ap, within(TOL));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void thresholdsAreBitIdenticalToNumpyLinspace(String name) {
        JsonNode ref = CocoEvalFixtures.load(name).get("pycocotools");
        CocoEvalParams params = new CocoEvalParams(CocoEvaluatorConfig.defaults());
        assertThat(params.iouThresholds()).containsExactly(CocoEvalFixtures.doubles(ref.get("iouThrs")));
        assertThat(params.recallThresholds()).containsExactly(CocoEvalFixtures.doubles(ref.get("recThrs")));
    }
}
