package org.retinanet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.retinanet.api.data.Detection;
import org.retinanet.api.data.DetectionDataset;
import org.retinanet.api.registry.Registry;
import org.retinanet.testing.Fixtures;

/**
 * The whole torchvision 0.14 retinanet_resnet50_fpn (random weights, raised classification
 * biases) against our {@code torchvision_retinanet_resnet50_fpn} preset with that state_dict as
 * weights, through the predict and loss commands' own code paths: same detections (boxes within
 * 1e-2 px, scores within 1e-4, labels equal) at the default 800/1333 resize, and the training
 * losses within 1e-4 relative. Fixtures: scripts/fixtures/detector_torchvision.py.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TorchvisionDetectorConformanceTest {

    private LoadedModel model;

    @BeforeAll
    void load() {
        Path weights = Fixtures.generated("detector/torchvision_retinanet.pth");
        model = LoadedModel.open(
                Registry.create(List.of()), "torchvision_retinanet_resnet50_fpn", List.of(), weights, "cpu");
        assertThat(model.torchvisionWeights()).isTrue();
    }

    @AfterAll
    void close() {
        if (model != null) {
            model.close();
        }
    }

    @Test
    void detectionsMatchTorchvision() throws Exception {
        Path image = Fixtures.generated("detector/image.png");
        DetectionDataset dataset = PredictCommand.imageDataset(model, List.of(image));
        List<Detection> ours = PredictCommand.detect(model, dataset);

        double[] boxes;
        double[] scores;
        long[] labels;
        try (NDManager m = NDManager.newBaseManager()) {
            NDList npz = NDList.decode(m, Files.readAllBytes(Fixtures.generated("detector/torchvision_out.npz")));
            boxes = npz.get("boxes").toDoubleArray();
            scores = npz.get("scores").toDoubleArray();
            labels = npz.get("labels").toLongArray();
        }
        assertThat(scores.length)
                .as("torchvision's fixture has hundreds of candidates and many detections")
                .isGreaterThan(100);
        assertThat(ours).as("detection count").hasSize(scores.length);

        // match each torchvision detection to an unmatched one of ours with the same label and a score
        // within 1e-4 (greedy by box distance): near-equal scores may sort either way
        List<Detection> left = new ArrayList<>(ours);
        double worstBox = 0;
        double worstScore = 0;
        for (int i = 0; i < scores.length; i++) {
            final int k = i;
            Detection best = left.stream()
                    .filter(d -> d.label() == labels[k] && Math.abs(d.score() - scores[k]) <= 1e-4)
                    .min(Comparator.comparingDouble(d -> boxDistance(d, boxes, k)))
                    .orElse(null);
            assertThat(best)
                    .as(
                            "a detection of ours for torchvision's #%d (label %d, score %.6f, box %.2f %.2f %.2f %.2f)",
                            i, labels[i], scores[i], boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3])
                    .isNotNull();
            assertThat(boxDistance(best, boxes, k))
                    .as("box of torchvision's #%d", i)
                    .isLessThanOrEqualTo(1e-2);
            worstBox = Math.max(worstBox, boxDistance(best, boxes, k));
            worstScore = Math.max(worstScore, Math.abs(best.score() - scores[k]));
            left.remove(best);
        }
        System.out.printf(
                "torchvision conformance: %d detections, max box diff %.2e px, max score diff %.2e%n",
                scores.length, worstBox, worstScore);
    }

    @Test
    void trainingLossesMatchTorchvision() throws Exception {
        Map<?, ?> expected = new ObjectMapper()
                .readValue(
                        Fixtures.generated("detector/torchvision_losses.json").toFile(), Map.class);
        Path annotations = Fixtures.generated("detector/annotations.json");
        LossCommand.Summary s = LossCommand.run(model, annotations, annotations.getParent(), 1);
        double cls = ((Number) expected.get("classification")).doubleValue();
        double box = ((Number) expected.get("bbox_regression")).doubleValue();
        System.out.printf(
                "torchvision losses: cls %.7f vs %.7f, box %.7f vs %.7f%n",
                s.mean().get("loss_cls"), cls, s.mean().get("loss_bbox"), box);
        assertThat(s.mean().get("loss_cls")).isCloseTo(cls, org.assertj.core.data.Offset.offset(1e-4 * Math.abs(cls)));
        assertThat(s.mean().get("loss_bbox")).isCloseTo(box, org.assertj.core.data.Offset.offset(1e-4 * Math.abs(box)));
        assertThat(s.mean().get("total")).isCloseTo(cls + box, org.assertj.core.data.Offset.offset(1e-4 * (cls + box)));
        assertThat(s.nonFinite()).isEmpty();
    }

    private static double boxDistance(Detection d, double[] boxes, int i) {
        return Math.max(
                Math.max(Math.abs(d.x1() - boxes[4 * i]), Math.abs(d.y1() - boxes[4 * i + 1])),
                Math.max(Math.abs(d.x2() - boxes[4 * i + 2]), Math.abs(d.y2() - boxes[4 * i + 3])));
    }
}
