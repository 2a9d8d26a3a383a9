package org.retinanet.heads;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.retinanet.api.box.BoxIou;
import org.retinanet.api.box.modules.MaxIouAssigner;
import org.retinanet.api.box.modules.MaxIouAssignerConfig;

class AssignerTest {

    private static final int NEG = MaxIouAssigner.NEGATIVE;
    private static final int IGN = MaxIouAssigner.IGNORED;

    private static MaxIouAssigner mmdet() {
        return new MaxIouAssigner(MaxIouAssignerConfig.defaults());
    }

    private static MaxIouAssigner torchvision() {
        return new MaxIouAssigner(
                (MaxIouAssignerConfig) RetinaHeadConfig.torchvision().assigner());
    }

    private static NDArray boxes(NDManager m, float... xyxy) {
        return m.create(xyxy, new Shape(xyxy.length / 4, 4));
    }

    @Test
    void matchesTorchvisionMatcherOnRandomBoxesWithTies() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> f = TestArrays.npz(m, "matcher.npz");
            for (String c : new String[] {"random", "zero"}) {
                NDArray gt = f.get(c + "_gt");
                NDArray anchors = f.get(c + "_anchors");
                NDArray iou = BoxIou.iou(gt, anchors);
                assertThat(iou.toFloatArray())
                        .as(c + " iou")
                        .containsExactly(f.get(c + "_iou").toFloatArray());
                long[] ours = torchvision().assign(anchors, null, gt, null).toLongArray();
                assertThat(ours)
                        .as(c + " matches")
                        .containsExactly(f.get(c + "_matches").toLongArray());
            }
        }
    }

    @Test
    void thresholdsAndIgnoreBand() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray gt = boxes(m, 0, 0, 10, 10);
            // IoU 1, 0.5 (= pos thr), 0.45 (band), 0.4 (= neg thr: band), 0.3, 0
            NDArray anchors =
                    boxes(m, 0, 0, 10, 10, 0, 0, 10, 5, 0, 0, 10, 4.5f, 0, 0, 10, 4, 0, 0, 10, 3, 20, 20, 30, 30);
            long[] got = new MaxIouAssigner(new MaxIouAssignerConfig(null, null, null, false, null, null, null))
                    .assign(anchors, null, gt, null)
                    .toLongArray();
            assertThat(got).containsExactly(0, 0, IGN, IGN, NEG, NEG);
        }
    }

    @Test
    void emptyImageIsAllNegativeExceptInvalidAnchors() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray anchors = boxes(m, 0, 0, 10, 10, 5, 5, 15, 15, 50, 50, 60, 60);
            NDArray noGt = m.zeros(new Shape(0, 4));
            assertThat(mmdet().assign(anchors, null, noGt, null).toLongArray()).containsExactly(NEG, NEG, NEG);
            NDArray valid = m.create(new boolean[] {true, false, true});
            assertThat(mmdet().assign(anchors, valid, noGt, null).toLongArray()).containsExactly(NEG, IGN, NEG);
        }
    }

    @Test
    void lowQualityTiesAcrossGtsDifferBetweenMmdetAndTorchvision() {
        try (NDManager m = NDManager.newBaseManager()) {
            // two identical gts: every anchor ties between them
            NDArray gt = boxes(m, 0, 0, 10, 10, 0, 0, 10, 10);
            // best IoU 0.3 for both gts (low quality), tied by anchors 0 and 2; anchor 1 is worse
            NDArray anchors = boxes(m, 0, 0, 10, 3, 0, 0, 10, 2, 0, 7, 10, 10);
            assertThat(mmdet().assign(anchors, null, gt, null).toLongArray()).containsExactly(1, NEG, 1);
            assertThat(torchvision().assign(anchors, null, gt, null).toLongArray())
                    .containsExactly(0, NEG, 0);
            // only the first best anchor without gtMaxAssignAll
            MaxIouAssigner firstOnly =
                    new MaxIouAssigner(new MaxIouAssignerConfig(null, null, null, null, false, null, null));
            assertThat(firstOnly.assign(anchors, null, gt, null).toLongArray()).containsExactly(1, NEG, NEG);
        }
    }

    @Test
    void lowQualityMatchRescuesAnchorsInTheBand() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray gt = boxes(m, 0, 0, 10, 10);
            NDArray anchors = boxes(m, 0, 0, 10, 4.5f, 0, 0, 10, 4.2f);
            assertThat(mmdet().assign(anchors, null, gt, null).toLongArray()).containsExactly(0, IGN);
        }
    }

    @Test
    void invalidAnchorsNeverCountForAGtsBestOverlap() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray gt = boxes(m, 0, 0, 10, 10);
            // the invalid anchor would be the gt's best (IoU 0.3); the valid one (0.2) must get it
            NDArray anchors = boxes(m, 0, 0, 10, 3, 0, 0, 10, 2);
            NDArray valid = m.create(new boolean[] {false, true});
            assertThat(mmdet().assign(anchors, valid, gt, null).toLongArray()).containsExactly(IGN, 0);
        }
    }

    @Test
    void crowdBoxesIgnoreAnchorsByIntersectionOverAnchorArea() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray gt = boxes(m, 0, 0, 10, 10);
            NDArray crowd = boxes(m, 100, 100, 200, 200);
            NDArray anchors = boxes(
                    m, 0, 0, 10, 10, // positive
                    120, 120, 130, 130, // inside the crowd: IoF 1
                    95, 95, 105, 105, // IoF 0.25
                    300, 300, 310, 310);
            MaxIouAssigner withCrowd =
                    new MaxIouAssigner(new MaxIouAssignerConfig(null, null, null, null, null, null, 0.5));
            assertThat(withCrowd.assign(anchors, null, gt, crowd).toLongArray()).containsExactly(0, IGN, NEG, NEG);
            // mmdetection's default (-1) drops crowd boxes
            assertThat(mmdet().assign(anchors, null, gt, crowd).toLongArray()).containsExactly(0, NEG, NEG, NEG);
            // also in an image whose only annotation is a crowd
            assertThat(withCrowd
                            .assign(anchors, null, m.zeros(new Shape(0, 4)), crowd)
                            .toLongArray())
                    .containsExactly(NEG, IGN, NEG, NEG);
            // a crowd-ignored anchor is never positive, even when it overlaps a gt best: the gt's
            // best anchor is then the best one outside the crowd (IoU 0.005, a low-quality match)
            NDArray gtInCrowd = boxes(m, 103, 103, 130, 130);
            assertThat(withCrowd.assign(anchors, null, gtInCrowd, crowd).toLongArray())
                    .containsExactly(NEG, IGN, 0, NEG);
        }
    }
}
