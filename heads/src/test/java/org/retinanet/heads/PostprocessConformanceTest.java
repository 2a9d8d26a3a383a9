package org.retinanet.heads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.retinanet.api.data.BoxTargets;
import org.retinanet.api.data.Detection;
import org.retinanet.api.data.ImageMeta;
import org.retinanet.api.loss.LossNormalization;
import org.retinanet.api.model.DetectionBatch;
import org.retinanet.api.model.HeadOutput;
import org.retinanet.api.model.LossOutput;

/**
 * Inference post-processing and training losses vs torchvision 0.14's RetinaNet
 * (postprocess_detections + transform.postprocess, compute_loss) on the same head outputs.
 */
class PostprocessConformanceTest {

    /** torchvision's flattened outputs (N, H*W*A, C) as the head's forward returns them: per level (N, A*C, H, W). */
    static HeadOutput headOutput(Map<String, NDArray> f) {
        long[] fs = f.get("feature_sizes").toLongArray();
        NDList cls = new NDList();
        NDList box = new NDList();
        long start = 0;
        for (int l = 0; l < fs.length / 2; l++) {
            long n = fs[2 * l] * fs[2 * l + 1] * 9;
            cls.add(unflatten(f.get("cls_logits").get(":, " + start + ":" + (start + n)), fs[2 * l], fs[2 * l + 1]));
            box.add(unflatten(
                    f.get("bbox_regression").get(":, " + start + ":" + (start + n)), fs[2 * l], fs[2 * l + 1]));
            start += n;
        }
        return HeadOutput.of(cls, box);
    }

    /** (N, H*W*A, C) in (h, w, a) order to (N, A*C, H, W), the inverse of {@link HeadOutput#flatten}. */
    static NDArray unflatten(NDArray flat, long h, long w) {
        Shape s = flat.getShape();
        long anchors = s.get(1) / (h * w);
        return flat.reshape(s.get(0), h, w, anchors, s.get(2))
                .transpose(0, 3, 4, 1, 2)
                .reshape(s.get(0), anchors * s.get(2), h, w);
    }

    /** loss and detect see exactly torchvision's flattened arrays, so the numbers below are unchanged. */
    @Test
    void perLevelMapsFlattenBackToTorchvisionBitForBit() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> f = TestArrays.npz(m, "postprocess.npz");
            HeadOutput out = headOutput(f);
            assertThat(out.gridSize(0).height())
                    .isEqualTo((int) f.get("feature_sizes").toLongArray()[0]);
            NDArray cls = NDArrays.concat(new NDList(out.flatClassification(9)), 1);
            NDArray box = NDArrays.concat(new NDList(out.flatRegression(9)), 1);
            assertThat(cls.toFloatArray()).containsExactly(f.get("cls_logits").toFloatArray());
            assertThat(box.toFloatArray())
                    .containsExactly(f.get("bbox_regression").toFloatArray());
        }
    }

    static List<ImageMeta> metas(Map<String, NDArray> f) {
        long[] sizes = f.get("image_sizes").toLongArray();
        long[] orig = f.get("original_sizes").toLongArray();
        List<ImageMeta> metas = new ArrayList<>();
        for (int i = 0; i < sizes.length / 2; i++) {
            int h = (int) sizes[2 * i];
            int w = (int) sizes[2 * i + 1];
            int oh = (int) orig[2 * i];
            int ow = (int) orig[2 * i + 1];
            metas.add(new ImageMeta(i, ow, oh, w, h, (double) w / ow, (double) h / oh, false));
        }
        return metas;
    }

    static RetinaHead torchvisionHead() {
        return HeadConformanceTest.head("none", 8, 5, List.of(8, 16, 32, 64, 128));
    }

    @Test
    void detectionsEqualTorchvision() throws Exception {
        assertDetections(torchvisionHead(), "det");
    }

    /** mmdetection's order (rescale, drop empty boxes, NMS, 100) on torchvision's anchors. */
    @Test
    void detectionsInMmdetectionOrder() throws Exception {
        RetinaHead head = HeadConformanceTest.head(
                "none",
                8,
                5,
                List.of(8, 16, 32, 64, 128),
                RetinaHeadConfig.defaults().test(),
                LossNormalization.batchPositives());
        assertDetections(head, "mmdet");
    }

    private static void assertDetections(RetinaHead head, String prefix) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> f = TestArrays.npz(m, "postprocess.npz");
            List<List<Detection>> dets = head.detect(headOutput(f), metas(f));
            assertThat(dets).hasSize(2);
            for (int i = 0; i < 2; i++) {
                float[] boxes = f.get(prefix + i + "_boxes").toFloatArray();
                float[] scores = f.get(prefix + i + "_scores").toFloatArray();
                long[] labels = f.get(prefix + i + "_labels").toLongArray();
                List<Detection> ours = dets.get(i);
                assertThat(scores.length).as("the reference keeps at least 100").isGreaterThanOrEqualTo(100);
                assertThat(ours).as("image %d count", i).hasSize(scores.length);
                for (int k = 0; k < scores.length; k++) {
                    Detection d = ours.get(k);
                    String what = "image " + i + " detection " + k;
                    assertThat(d.imageId()).isEqualTo(i);
                    assertThat(d.label()).as(what).isEqualTo((int) labels[k]);
                    assertThat(d.score()).as(what).isCloseTo(scores[k], within(1e-4));
                    assertThat(d.x1()).as(what).isCloseTo(boxes[4 * k], within(1e-2));
                    assertThat(d.y1()).as(what).isCloseTo(boxes[4 * k + 1], within(1e-2));
                    assertThat(d.x2()).as(what).isCloseTo(boxes[4 * k + 2], within(1e-2));
                    assertThat(d.y2()).as(what).isCloseTo(boxes[4 * k + 3], within(1e-2));
                }
            }
        }
    }

    @Test
    void lossesEqualTorchvision() throws Exception {
        assertLosses(torchvisionHead(), "");
    }

    /** Normalised by the batch's sum of max(#positives, 1), mmdetection's avg_factor. */
    @Test
    void batchNormalisedLosses() throws Exception {
        RetinaHead head = HeadConformanceTest.head(
                "none",
                8,
                5,
                List.of(8, 16, 32, 64, 128),
                RetinaHeadConfig.torchvision().test(),
                LossNormalization.batchPositives());
        assertLosses(head, "_batch");
    }

    private static void assertLosses(RetinaHead head, String suffix) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> f = TestArrays.npz(m, "postprocess.npz");
            List<BoxTargets> targets = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                float[] b = f.get("gt" + i + "_boxes").toFloatArray();
                long[] l = f.get("gt" + i + "_labels").toLongArray();
                int[] labels = new int[l.length];
                for (int k = 0; k < l.length; k++) {
                    labels[k] = (int) l[k];
                }
                targets.add(new BoxTargets(b, labels, new boolean[l.length]));
            }
            long[] padded = f.get("padded_size").toLongArray();
            NDArray images = m.zeros(new Shape(2, 3, padded[0], padded[1]), DataType.FLOAT32);
            LossOutput out = head.loss(headOutput(f), new DetectionBatch(images, metas(f), targets));
            double cls = out.components().get("loss_cls").getFloat();
            double box = out.components().get("loss_bbox").getFloat();
            double expectedCls = f.get("loss_classification" + suffix).getDouble();
            double expectedBox = f.get("loss_bbox_regression" + suffix).getDouble();
            assertThat(cls).isCloseTo(expectedCls, within(1e-4 * expectedCls));
            assertThat(box).isCloseTo(expectedBox, within(1e-4 * expectedBox));
            assertThat(out.total().getFloat()).isCloseTo((float) (cls + box), within(1e-3f));
            // diagnostics: positives of image 0 only, with their scores; a sample of negatives
            int numPos = (int) out.diagnostics().get("num_pos").getFloat();
            assertThat(numPos).isGreaterThan(0);
            assertThat(out.diagnostics().get("scores_pos").getShape().get(0)).isEqualTo(numPos);
            assertThat(out.diagnostics().get("scores_neg").getShape().get(0)).isEqualTo(1000);
        }
    }
}
