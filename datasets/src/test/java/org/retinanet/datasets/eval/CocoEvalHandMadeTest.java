package org.retinanet.datasets.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.retinanet.api.data.Category;
import org.retinanet.api.data.Detection;
import org.retinanet.api.data.EvaluationResult;
import org.retinanet.api.data.GtBox;
import org.retinanet.api.data.ImageAnnotations;
import org.retinanet.api.data.ImageInfo;

/**
 * Tiny problems whose COCOeval answer is known by hand. A "perfect" precision is 1 - 2^-52 in
 * pycocotools too (tp / (tp + fp + eps)), hence ONE below.
 */
class CocoEvalHandMadeTest {

    private static final double ONE = 1.0 / (1.0 + Math.ulp(1.0));

    private static final List<Category> CATS = List.of(new Category(0, 1, "a"), new Category(1, 3, "b"));

    private static GtBox gt(long id, double x1, double y1, double x2, double y2, boolean crowd) {
        return new GtBox(id, x1, y1, x2, y2, 0, crowd, (x2 - x1) * (y2 - y1));
    }

    private static InMemoryDataset dataset(List<GtBox> boxesOfImage1) {
        return new InMemoryDataset(
                "hand",
                CATS,
                List.of(
                        new ImageAnnotations(new ImageInfo(1, null, 100, 100), boxesOfImage1),
                        new ImageAnnotations(new ImageInfo(2, null, 100, 100), List.of())));
    }

    private static Detection det(double score, double x1, double y1, double x2, double y2) {
        return new Detection(1, 0, score, x1, y1, x2, y2);
    }

    private static Map<String, Double> eval(InMemoryDataset gt, List<Detection> dets) {
        return new CocoEvaluator(CocoEvaluatorConfig.defaults())
                .evaluate(gt, dets)
                .metrics();
    }

    @Test
    void singlePerfectDetectionGivesOne() {
        // a 50x50 box: medium; small and large have no gt, so -1 as in pycocotools
        EvaluationResult r = new CocoEvaluator(CocoEvaluatorConfig.defaults())
                .evaluate(dataset(List.of(gt(1, 10, 10, 60, 60, false))), List.of(det(0.9, 10, 10, 60, 60)));
        assertThat(r.metrics().keySet()).containsExactlyElementsOf(CocoEvalResult.METRIC_NAMES);
        double[] expected = {1, 1, 1, -1, 1, -1, 1, 1, 1, -1, 1, -1};
        int i = 0;
        for (double v : r.metrics().values()) {
            assertThat(v).as(CocoEvalResult.METRIC_NAMES.get(i)).isCloseTo(expected[i++], within(1e-15));
        }
        assertThat(r.perClassAp().get("a")).isEqualTo(ONE);
        assertThat(r.perClassAp().get("b")).isNaN(); // no ground truth (mmdetection prints nan)
        assertThat(r.summary().lines().findFirst().orElseThrow())
                .isEqualTo(" Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 1.000");
        assertThat(r.summary().lines().toList().get(3))
                .isEqualTo(" Average Precision  (AP) @[ IoU=0.50:0.95 | area= small | maxDets=100 ] = -1.000");
    }

    @Test
    void detectionsOnCrowdRegionsAreIgnoredNotFalsePositives() {
        List<Detection> dets = List.of(det(0.9, 70, 70, 80, 80), det(0.8, 72, 72, 82, 82), det(0.7, 10, 10, 60, 60));
        GtBox regular = gt(1, 10, 10, 60, 60, false);
        // crowd region reused by both high-scoring detections: they are ignored, so AP stays 1
        Map<String, Double> crowd = eval(dataset(List.of(regular, gt(2, 65, 65, 95, 95, true))), dets);
        assertThat(crowd.get("AP")).isEqualTo(ONE);
        // the same region as a regular object: one match, one false positive ranked first
        Map<String, Double> notCrowd = eval(dataset(List.of(regular, gt(2, 65, 65, 95, 95, false))), dets);
        assertThat(notCrowd.get("AP")).isLessThan(1.0);
    }

    @Test
    void crowdOnlyGroundTruthLeavesEverythingUndefined() {
        Map<String, Double> m = eval(dataset(List.of(gt(1, 0, 0, 50, 50, true))), List.of(det(0.9, 0, 0, 50, 50)));
        assertThat(m.values()).containsOnly(-1.0);
    }

    @Test
    void noDetectionsGiveZeroWhereGroundTruthExistsAndMinusOneElsewhere() {
        Map<String, Double> m = eval(dataset(List.of(gt(1, 10, 10, 60, 60, false))), List.of());
        assertThat(m.get("AP")).isEqualTo(0.0);
        assertThat(m.get("APm")).isEqualTo(0.0);
        assertThat(m.get("AR100")).isEqualTo(0.0);
        assertThat(m.get("APs")).isEqualTo(-1.0);
        assertThat(m.get("ARl")).isEqualTo(-1.0);
    }

    @Test
    void tiedScoresKeepResultsOrderAsNumpysMergesort() {
        InMemoryDataset gt = dataset(List.of(gt(1, 10, 10, 60, 60, false)));
        Detection hit = det(0.5, 10, 10, 60, 60);
        Detection miss = det(0.5, 70, 70, 90, 90);
        // hit first: precision 1 at every recall; miss first: envelope precision 0.5
        assertThat(eval(gt, List.of(hit, miss)).get("AP")).isEqualTo(ONE);
        assertThat(eval(gt, List.of(miss, hit)).get("AP")).isEqualTo(0.5);
    }

    @Test
    void onlyTheHundredBestDetectionsPerImageAndCategoryCount() {
        InMemoryDataset gt = dataset(List.of(gt(1, 10, 10, 60, 60, false)));
        List<Detection> dets = new ArrayList<>();
        for (int i = 0; i < 99; i++) {
            dets.add(det(0.9, 70, 70, 75 + i * 0.01, 75));
        }
        dets.add(det(0.1, 10, 10, 60, 60)); // rank 100: counted for maxDets=100 only
        Map<String, Double> m = eval(gt, dets);
        assertThat(m.get("AR100")).isEqualTo(1.0);
        assertThat(m.get("AR10")).isEqualTo(0.0);
        assertThat(m.get("AP")).isCloseTo(0.01, within(1e-15));
        dets.add(0, det(0.95, 70, 70, 71, 71)); // pushes the hit to rank 101: cut
        m = eval(gt, dets);
        assertThat(m.get("AR100")).isEqualTo(0.0);
        assertThat(m.get("AP")).isEqualTo(0.0);
        // detections of another category do not count against this category's 100
        List<Detection> other = new ArrayList<>(dets.subList(1, dets.size()));
        for (int i = 0; i < 50; i++) {
            other.add(0, new Detection(1, 1, 0.99, 0, 0, 5, 5));
        }
        assertThat(eval(gt, other).get("AR100")).isEqualTo(1.0);
    }

    @Test
    void resultDoesNotDependOnThreads() {
        List<GtBox> boxes = new ArrayList<>();
        List<Detection> dets = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            boxes.add(new GtBox(i + 1, i * 3, i * 2, i * 3 + 20 + i, i * 2 + 30, i % 2, i % 7 == 0, 400 + 50 * i));
            dets.add(new Detection(1, i % 2, (i * 37 % 11) / 11.0, i * 3 + 1, i * 2, i * 3 + 21, i * 2 + 29));
        }
        InMemoryDataset gt = new InMemoryDataset(
                "threads", CATS, List.of(new ImageAnnotations(new ImageInfo(1, null, 100, 100), boxes)));
        double[] one = new CocoEvaluator(new CocoEvaluatorConfig(null, null, null, null, 1))
                .evaluateRaw(gt, dets)
                .stats();
        double[] two = new CocoEvaluator(new CocoEvaluatorConfig(null, null, null, null, 2))
                .evaluateRaw(gt, dets)
                .stats();
        assertThat(two).containsExactly(one);
    }

    @Test
    void detectionsOnUnknownImagesOrLabelsAreOneClearError() {
        InMemoryDataset gt = dataset(List.of(gt(1, 10, 10, 60, 60, false)));
        assertThatThrownBy(() -> eval(gt, List.of(new Detection(99, 0, 0.5, 0, 0, 1, 1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("detection 0: image id 99 is not in the ground truth");
        assertThatThrownBy(() -> eval(gt, List.of(new Detection(1, 5, 0.5, 0, 0, 1, 1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("detections: label 5 is outside 0..1");
        assertThatThrownBy(() -> eval(gt, List.of(new Detection(1, 0, Double.NaN, 0, 0, 1, 1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("detection 0 (image 1): score is NaN");
    }
}
