package org.retinanet.heads.postprocess;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.retinanet.heads.assign.BoxOverlaps;

/**
 * Class-wise greedy non-maximum suppression: a box is dropped when a higher-scoring kept box of
 * the same class overlaps it with IoU > threshold (torchvision's / mmcv's rule, IoU without +1).
 *
 * <p>Candidates are visited in descending score order (ties: lower index first) in blocks. For
 * each block the IoU against the boxes kept so far and within the block is computed as NDArray
 * ops on the boxes' device and masked to same-class pairs (equivalent to the coordinate-offset
 * trick, without its float32 precision loss at large offsets); only the boolean results come to
 * the host, where the greedy pass runs. It stops as soon as {@code maxKeep} boxes are kept, so the
 * work is about (kept + block) x candidates, not candidates squared.
 */
public final class BatchedNms {

    private static final int BLOCK = 512;

    private BatchedNms() {}

    /**
     * @param boxes (n, 4) corner boxes
     * @param scores (n) scores
     * @param labels (n) integer class labels
     * @return indices into the inputs of the kept boxes, by descending score, at most maxKeep
     */
    public static int[] keep(NDArray boxes, NDArray scores, NDArray labels, double iouThreshold, int maxKeep) {
        int n = (int) scores.getShape().get(0);
        if (n == 0 || maxKeep <= 0) {
            return new int[0];
        }
        try (NDManager m = boxes.getManager().newSubManager()) {
            // everything derived from the inputs lives in m and is freed with it
            m.tempAttachAll(boxes, scores, labels);
            float[] hostScores = scores.toType(DataType.FLOAT32, false).toFloatArray();
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -hostScores[i]).thenComparingInt(i -> i));
            long[] orderLong = Arrays.stream(order).mapToLong(Integer::longValue).toArray();
            NDArray orderArray = m.create(orderLong);
            NDArray sortedBoxes = boxes.get(new NDIndex("{}", orderArray));
            NDArray sortedLabels = labels.toType(DataType.INT64, false).get(new NDIndex("{}", orderArray));
            float thr = (float) iouThreshold;

            List<Integer> kept = new ArrayList<>();
            for (int start = 0; start < n && kept.size() < maxKeep; start += BLOCK) {
                int end = Math.min(n, start + BLOCK);
                int b = end - start;
                NDArray blockBoxes = sortedBoxes.get(start + ":" + end);
                NDArray blockLabels = sortedLabels.get(start + ":" + end);
                boolean[] suppressed = new boolean[b];
                if (!kept.isEmpty()) {
                    NDArray keptIdx = m.create(kept.stream().mapToLong(Integer::longValue).toArray());
                    NDArray keptBoxes = sortedBoxes.get(new NDIndex("{}", keptIdx));
                    NDArray keptLabels = sortedLabels.get(new NDIndex("{}", keptIdx));
                    NDArray hit = overlapping(blockBoxes, blockLabels, keptBoxes, keptLabels, thr);
                    suppressed = hit.toType(DataType.INT32, false).max(new int[] {1}).gt(0).toBooleanArray();
                }
                boolean[] within = overlapping(blockBoxes, blockLabels, blockBoxes, blockLabels, thr).toBooleanArray();
                for (int i = 0; i < b && kept.size() < maxKeep; i++) {
                    if (suppressed[i]) {
                        continue;
                    }
                    kept.add(start + i);
                    for (int j = i + 1; j < b; j++) {
                        if (within[i * b + j]) {
                            suppressed[j] = true;
                        }
                    }
                }
            }
            return kept.stream().mapToInt(i -> order[i]).toArray();
        }
    }

    /** (A, B) boolean: same class and IoU > thr. */
    private static NDArray overlapping(NDArray a, NDArray aLabels, NDArray b, NDArray bLabels, float thr) {
        NDArray sameClass = aLabels.expandDims(1).eq(bLabels.expandDims(0));
        return BoxOverlaps.iou(a, b).gt(thr).logicalAnd(sameClass);
    }
}
