package org.retinanet.heads.postprocess;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.util.ArrayList;
import java.util.List;
import org.retinanet.api.box.BoxCoder;
import org.retinanet.api.box.GridSize;
import org.retinanet.api.box.Nms;
import org.retinanet.api.box.PriorGenerator;
import org.retinanet.api.data.Detection;
import org.retinanet.api.data.ImageMeta;
import org.retinanet.heads.RetinaHeadConfig;

/**
 * Inference post-processing per image: per level, sigmoid scores over (anchor, class) pairs, the
 * top {@code nmsPre} pairs above {@code scoreThr}, decoded and clipped to the resized image; then
 * over all levels the minimum-size filter, class-wise NMS and the best {@code maxPerImg}, in
 * original image coordinates (NMS before or after rescaling per {@code nmsAfterRescale}). Scores,
 * top-k, decoding and the IoU matrices are NDArray ops on the outputs' device; only the kept
 * candidates' indices and the final detections come to the host.
 */
public final class DetectionPostProcessor {

    private static final int SAMPLE_STRIDE = 64;

    private final RetinaHeadConfig.Test config;
    private final BoxCoder coder;
    private final PriorGenerator anchors;

    public DetectionPostProcessor(RetinaHeadConfig.Test config, BoxCoder coder, PriorGenerator anchors) {
        this.config = config;
        this.coder = coder;
        this.anchors = anchors;
    }

    /**
     * @param clsLevels per level (N, HWA, K) logits
     * @param boxLevels per level (N, HWA, 4) deltas
     * @param grids per level feature size
     * @param paddedHeight padded input height (for strides measured from the image)
     * @param paddedWidth padded input width
     */
    public List<List<Detection>> detect(
            List<NDArray> clsLevels,
            List<NDArray> boxLevels,
            List<GridSize> grids,
            int paddedHeight,
            int paddedWidth,
            List<ImageMeta> metas) {
        NDManager parent = clsLevels.get(0).getManager();
        List<List<Detection>> out = new ArrayList<>();
        try (NDManager m = parent.newSubManager()) {
            List<NDArray> levelAnchors = new ArrayList<>();
            for (int l = 0; l < grids.size(); l++) {
                int[] s = anchors.stride(l, grids.get(l), paddedHeight, paddedWidth);
                float[] a = anchors.levelPriors(l, grids.get(l), s[0], s[1]);
                levelAnchors.add(m.create(a, new Shape(a.length / 4, 4)));
            }
            for (int n = 0; n < metas.size(); n++) {
                out.add(detectImage(m, n, clsLevels, boxLevels, levelAnchors, metas.get(n)));
            }
        }
        return out;
    }

    private List<Detection> detectImage(
            NDManager m,
            int n,
            List<NDArray> clsLevels,
            List<NDArray> boxLevels,
            List<NDArray> levelAnchors,
            ImageMeta meta) {
        NDList boxes = new NDList();
        NDList scores = new NDList();
        List<long[]> labels = new ArrayList<>();
        for (int l = 0; l < clsLevels.size(); l++) {
            NDArray logits = clsLevels.get(l).get(m, n); // (HWA, K)
            int numClasses = (int) logits.getShape().get(1);
            NDArray flat = Activation.sigmoid(logits).flatten();
            NDList top = topAboveThreshold(flat);
            if (top == null) {
                continue;
            }
            NDArray topScores = top.get(0);
            long[] pairIdx = top.get(1).toType(DataType.INT64, false).toLongArray();
            long[] anchorIdx = new long[pairIdx.length];
            long[] label = new long[pairIdx.length];
            for (int i = 0; i < pairIdx.length; i++) {
                anchorIdx[i] = pairIdx[i] / numClasses;
                label[i] = pairIdx[i] % numClasses;
            }
            NDArray idx = m.create(anchorIdx);
            NDArray deltas = boxLevels.get(l).get(m, n).get(new NDIndex("{}", idx));
            NDArray anchorBoxes = levelAnchors.get(l).get(new NDIndex("{}", idx));
            boxes.add(coder.decode(anchorBoxes, deltas, meta.height(), meta.width()));
            scores.add(topScores);
            labels.add(label);
        }
        if (boxes.isEmpty()) {
            return List.of();
        }
        NDArray allBoxes = NDArrays.concat(boxes, 0);
        NDArray allScores = NDArrays.concat(scores, 0);
        NDArray allLabels =
                m.create(labels.stream().flatMapToLong(java.util.Arrays::stream).toArray());
        NDArray scale = m.create(
                new float[] {(float) meta.scaleX(), (float) meta.scaleY(), (float) meta.scaleX(), (float) meta.scaleY()
                });
        if (config.nmsAfterRescale()) {
            allBoxes = allBoxes.div(scale);
        }
        if (config.minBboxSize() >= 0) {
            float min = (float) (double) config.minBboxSize();
            NDArray w = allBoxes.get(":, 2").sub(allBoxes.get(":, 0"));
            NDArray h = allBoxes.get(":, 3").sub(allBoxes.get(":, 1"));
            NDArray big = w.gt(min).logicalAnd(h.gt(min));
            allBoxes = allBoxes.get(new NDIndex("{}", big));
            allScores = allScores.get(new NDIndex("{}", big));
            allLabels = allLabels.get(new NDIndex("{}", big));
        }
        int[] kept = Nms.batched(allBoxes, allScores, allLabels, config.nmsIou(), config.maxPerImg());
        if (kept.length == 0) {
            return List.of();
        }
        NDArray keptIdx = m.create(java.util.Arrays.stream(kept).asLongStream().toArray());
        NDArray finalBoxes = allBoxes.get(new NDIndex("{}", keptIdx));
        if (!config.nmsAfterRescale()) {
            finalBoxes = finalBoxes.div(scale);
        }
        float[] b = finalBoxes.toType(DataType.FLOAT32, false).toFloatArray();
        float[] s = allScores
                .get(new NDIndex("{}", keptIdx))
                .toType(DataType.FLOAT32, false)
                .toFloatArray();
        long[] c = allLabels.get(new NDIndex("{}", keptIdx)).toLongArray();
        List<Detection> dets = new ArrayList<>(kept.length);
        for (int i = 0; i < kept.length; i++) {
            double x1 = b[4 * i];
            double x2 = b[4 * i + 2];
            if (meta.flipped()) { // back to the unflipped original image
                double fx1 = meta.originalWidth() - x2;
                x2 = meta.originalWidth() - x1;
                x1 = fx1;
            }
            dets.add(new Detection(meta.imageId(), (int) c[i], s[i], x1, b[4 * i + 1], x2, b[4 * i + 3]));
        }
        return dets;
    }

    /**
     * The best {@code nmsPre} scores above {@code scoreThr} with their flat indices, by descending
     * score, or null when none passes. A trained model leaves few scores above the threshold, and
     * top-k over those few is far cheaper than over all H*W*A*K, so the threshold goes first
     * (torchvision's and mmdetection's order); when most pass (an untrained head), top-k first
     * saves the masking passes. Both orders select the same pairs.
     */
    private NDList topAboveThreshold(NDArray flat) {
        float thr = (float) (double) config.scoreThr();
        NDList sampled = sampledTopK(flat, thr, config.nmsPre());
        if (sampled != null) {
            return sampled;
        }
        NDArray above = flat.gt(thr);
        long passing = above.countNonzero().getLong();
        if (passing == 0) {
            return null;
        }
        return passing * 2 > flat.getShape().get(0)
                ? topKThenThreshold(flat, thr, config.nmsPre())
                : thresholdThenTopK(flat, above, config.nmsPre());
    }

    /**
     * Top-k over millions of scores (an untrained head, or a low threshold) costs more than the
     * whole rest of post-processing; one strided sample of every {@value #SAMPLE_STRIDE}th score
     * gives a cut v expected to leave about 2k scores. When at least k scores are >= v (and v is
     * above the threshold), the k-th largest score is >= v, so top-k over those few is exact (up to
     * the order of equal scores, which top-k never fixes). Otherwise null: the caller does it
     * the plain way.
     */
    static NDList sampledTopK(NDArray flat, float thr, int k) {
        long size = flat.getShape().get(0);
        if (size < (long) SAMPLE_STRIDE * k) {
            return null;
        }
        NDArray sample = flat.get(new NDIndex("::" + SAMPLE_STRIDE));
        int rank = (int) Math.min(sample.getShape().get(0), Math.max(1, 2L * k / SAMPLE_STRIDE));
        float cut = sample.topK(rank, 0, true, true).get(0).get(rank - 1).getFloat();
        if (!(cut > thr)) {
            return null;
        }
        NDArray kept = flat.gte(cut);
        if (kept.countNonzero().getLong() < k) {
            return null;
        }
        return thresholdThenTopK(flat, kept, k);
    }

    static NDList topKThenThreshold(NDArray flat, float thr, int k) {
        NDList top = flat.topK((int) Math.min(k, flat.getShape().get(0)), 0, true, true);
        NDArray keep = top.get(0).gt(thr);
        return new NDList(top.get(0).booleanMask(keep), top.get(1).booleanMask(keep));
    }

    static NDList thresholdThenTopK(NDArray flat, NDArray above, int k) {
        NDArray indices = above.nonzero().flatten();
        NDList top = flat.get(new NDIndex("{}", indices))
                .topK((int) Math.min(k, indices.getShape().get(0)), 0, true, true);
        return new NDList(top.get(0), indices.get(new NDIndex("{}", top.get(1))));
    }
}
