package org.retinanet.datasets.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.retinanet.api.data.Category;
import org.retinanet.api.data.Detection;
import org.retinanet.api.data.EvaluationResult;
import org.retinanet.api.data.GtBox;
import org.retinanet.api.data.ImageAnnotations;
import org.retinanet.api.data.ImageInfo;

/** VOC AP worked out by hand. */
class VocEvaluatorTest {

    private static final List<Category> CATS =
            List.of(new Category(0, 0, "cat"), new Category(1, 1, "dog"), new Category(2, 2, "bird"));

    private static GtBox box(int label, double x1, double y1, double x2, double y2, boolean difficult) {
        return new GtBox(0, x1, y1, x2, y2, label, difficult, (x2 - x1) * (y2 - y1));
    }

    /**
     * cat: image 1 one regular box, image 2 one regular and one difficult. Detections by score:
     * hit (TP), on the difficult box (neither), background (FP), hit (TP), duplicate (FP):
     * recall .5 .5 1 1, precision 1 .5 2/3 .5. dog: a detection, no ground truth. bird: ground
     * truth, no detections.
     */
    private static InMemoryDataset dataset() {
        return new InMemoryDataset(
                "voc-hand",
                CATS,
                List.of(
                        new ImageAnnotations(new ImageInfo(1, null, 100, 100), List.of(box(0, 0, 0, 10, 10, false))),
                        new ImageAnnotations(
                                new ImageInfo(2, null, 100, 100),
                                List.of(
                                        box(0, 20, 20, 40, 40, false),
                                        box(0, 50, 50, 70, 70, true),
                                        box(2, 0, 0, 5, 5, false)))));
    }

    private static List<Detection> detections() {
        return List.of(
                new Detection(1, 0, 0.5, 0, 0, 10, 10), // duplicate of the first hit
                new Detection(1, 0, 0.9, 0, 0, 10, 10), // TP
                new Detection(2, 0, 0.8, 50, 50, 70, 70), // difficult
                new Detection(2, 0, 0.7, 80, 80, 90, 90), // FP
                new Detection(2, 0, 0.6, 21, 21, 40, 40), // TP (IoU 0.9025)
                new Detection(2, 1, 0.9, 0, 0, 5, 5)); // dog: no ground truth
    }

    @Test
    void areaUnderInterpolatedCurveAllPoints() {
        EvaluationResult r = new VocEvaluator(VocEvaluatorConfig.defaults()).evaluate(dataset(), detections());
        assertThat(r.perClassAp().get("cat")).isCloseTo(0.5 * 1 + 0.5 * 2.0 / 3, within(1e-15));
        assertThat(r.perClassAp().get("dog")).isNaN();
        assertThat(r.perClassAp().get("bird")).isEqualTo(0.0);
        assertThat(r.metrics().keySet()).containsExactly("mAP", "AP_cat", "AP_dog", "AP_bird");
        assertThat(r.primary()).isCloseTo((5.0 / 6) / 2, within(1e-15));
        assertThat(r.summary()).contains("mAP").contains("cat");
    }

    @Test
    void voc2007ElevenPoints() {
        EvaluationResult r =
                new VocEvaluator(new VocEvaluatorConfig(null, true, null)).evaluate(dataset(), detections());
        // recall >= 0, .1, ... .5: best precision 1; recall >= .6 ... 1: 2/3
        assertThat(r.perClassAp().get("cat")).isCloseTo((6 + 5 * 2.0 / 3) / 11, within(1e-15));
    }

    @Test
    void legacyCoordinatesAddOnePixel() {
        InMemoryDataset gt = new InMemoryDataset(
                "legacy",
                CATS,
                List.of(new ImageAnnotations(new ImageInfo(1, null, 100, 100), List.of(box(0, 0, 0, 9, 9, false)))));
        List<Detection> det = List.of(new Detection(1, 0, 0.9, 0, 0, 9, 4)); // IoU 36/81, or 50/100 with +1
        assertThat(new VocEvaluator(VocEvaluatorConfig.defaults())
                        .evaluate(gt, det)
                        .perClassAp()
                        .get("cat"))
                .isEqualTo(0.0);
        assertThat(new VocEvaluator(new VocEvaluatorConfig(null, null, true))
                        .evaluate(gt, det)
                        .perClassAp()
                        .get("cat"))
                .isEqualTo(1.0);
    }

    @Test
    void unknownImageIsOneClearError() {
        assertThatThrownBy(() -> new VocEvaluator(VocEvaluatorConfig.defaults())
                        .evaluate(dataset(), List.of(new Detection(9, 0, 0.5, 0, 0, 1, 1))))
                .hasMessage("detections: image id 9 is not in voc-hand");
    }
}
