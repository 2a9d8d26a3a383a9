package org.retinanet.heads.postprocess;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;

/**
 * Class-wise greedy non-maximum suppression: a box is dropped when a higher-scoring kept box of
 * the same class overlaps it with IoU > threshold (torchvision's / mmcv's rule, IoU without +1,
 * in float32 with the same operation order as torchvision's kernel; the union is clamped at 1e-6).
 *
 * <p>Runs on the host: one image's candidates are a few thousand boxes (tens of kB), and the greedy
 * pass, which stops once {@code maxKeep} boxes are kept, compares each candidate with at most
 * {@code maxKeep} kept boxes. That is far cheaper than IoU matrices as tensor ops, whose launch
 * and allocation costs dominate at this size, and it needs no per-class offsets.
 */
public final class BatchedNms {

    private static final float EPS = 1e-6f;

    private BatchedNms() {}

    /**
     * @param boxes (n, 4) corner boxes
     * @param scores (n) scores
     * @param labels (n) integer class labels
     * @return indices into the inputs of the kept boxes, by descending score, at most maxKeep
     */
    public static int[] keep(NDArray boxes, NDArray scores, NDArray labels, double iouThreshold, int maxKeep) {
        if (scores.getShape().get(0) == 0 || maxKeep <= 0) {
            return new int[0];
        }
        return keep(
                boxes.toType(DataType.FLOAT32, false).toFloatArray(),
                scores.toType(DataType.FLOAT32, false).toFloatArray(),
                labels.toType(DataType.INT64, false).toLongArray(),
                (float) iouThreshold,
                maxKeep);
    }

    /** The same on host arrays: {@code boxes} holds n corner boxes, x1 y1 x2 y2 each. */
    public static int[] keep(float[] boxes, float[] scores, long[] labels, float iouThreshold, int maxKeep) {
        int n = scores.length;
        int[] kept = new int[Math.min(n, Math.max(0, maxKeep))];
        int count = 0;
        for (int i : byDescendingScore(scores)) {
            if (count == kept.length) {
                break;
            }
            boolean suppressed = false;
            for (int k = 0; k < count && !suppressed; k++) {
                int j = kept[k];
                suppressed = labels[j] == labels[i] && iou(boxes, j, i) > iouThreshold;
            }
            if (!suppressed) {
                kept[count++] = i;
            }
        }
        return Arrays.copyOf(kept, count);
    }

    /**
     * Indices by descending score, ties (-0 equals 0) by ascending index, via one primitive sort of
     * packed keys.
     */
    public static int[] byDescendingScore(float[] scores) {
        long[] keys = new long[scores.length];
        for (int i = 0; i < scores.length; i++) {
            int bits = scores[i] == 0f ? 0 : Float.floatToIntBits(scores[i]);
            int ascending = bits ^ ((bits >> 31) & 0x7fffffff); // monotone in the float's value
            keys[i] = ((long) ~ascending << 32) | i;
        }
        Arrays.sort(keys);
        int[] order = new int[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = (int) keys[i];
        }
        return order;
    }

    /** IoU of kept box {@code k} and candidate {@code c}, as torchvision's nms kernel computes it. */
    private static float iou(float[] b, int k, int c) {
        float w = Math.max(0f, Math.min(b[4 * k + 2], b[4 * c + 2]) - Math.max(b[4 * k], b[4 * c]));
        float h = Math.max(0f, Math.min(b[4 * k + 3], b[4 * c + 3]) - Math.max(b[4 * k + 1], b[4 * c + 1]));
        float inter = w * h;
        float areaK = (b[4 * k + 2] - b[4 * k]) * (b[4 * k + 3] - b[4 * k + 1]);
        float areaC = (b[4 * c + 2] - b[4 * c]) * (b[4 * c + 3] - b[4 * c + 1]);
        return inter / Math.max(areaK + areaC - inter, EPS);
    }
}
