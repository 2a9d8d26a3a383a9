package org.retinanet.api.box;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Greedy non-maximum suppression on the host, for boxes (x1, y1, x2, y2) visited in priority
 * order: a box is kept unless a kept box of the same label overlaps it with IoU above the
 * threshold (torchvision's and mmcv's rule, IoU > thr). Class-aware by comparing labels, which
 * needs no coordinate offsets and so leaves every IoU bit-identical.
 *
 * <p>Kept boxes are indexed in a uniform grid (cell side: the median longer box side), so that
 * each box is compared only with kept boxes that share a cell; boxes overlap only if they do. That
 * keeps a dense detector's ~10^5 anchors (OHEM) and a few thousand candidates per image
 * (post-processing) cheap without tensor launches. Boxes without a positive finite area overlap
 * nothing: they are never suppressed and suppress nothing (under either arithmetic).
 */
public final class Nms {

    /** A box spanning more cells than this is checked linearly instead of being indexed. */
    private static final long MAX_CELLS_PER_BOX = 256;

    /** The IoU arithmetic; see {@link BoxIou}. */
    public enum Arithmetic {
        /** float32, as torchvision's nms kernel ({@link BoxIou#iouFloat}): detection post-processing. */
        FLOAT32,
        /** double areas ({@link BoxIou#iouDouble}): OHEM's minibatch NMS. */
        FLOAT64
    }

    private final Arithmetic arithmetic;
    private final double threshold;
    private final float threshold32;
    private final float[] boxes;
    private final long[] labels;
    private final int first;
    private final double cellSize;
    private final Map<Long, List<Integer>> grid = new HashMap<>();
    private final List<Integer> large = new ArrayList<>();
    private final List<Integer> kept = new ArrayList<>();

    /**
     * @param arithmetic how IoU is computed
     * @param iouThreshold suppress above this IoU (compared in float32 under {@link Arithmetic#FLOAT32})
     * @param boxes 4 floats per box
     * @param labels one label per box of this run (indexed like {@link #tryKeep}), or null for one class
     * @param first index of this run's box 0 in {@code boxes}
     * @param count number of boxes in this run
     */
    public Nms(Arithmetic arithmetic, double iouThreshold, float[] boxes, long[] labels, int first, int count) {
        this.arithmetic = arithmetic;
        this.threshold = iouThreshold;
        this.threshold32 = (float) iouThreshold;
        this.boxes = boxes;
        this.labels = labels;
        this.first = first;
        this.cellSize = typicalSide(boxes, first, count);
    }

    /**
     * Class-wise NMS of one image's detections, by descending score (ties: lower index first), in
     * float32 as torchvision.
     *
     * @return indices of the kept boxes, by descending score, at most {@code maxKeep}
     */
    public static int[] batched(float[] boxes, float[] scores, long[] labels, double iouThreshold, int maxKeep) {
        int[] kept = new int[Math.min(scores.length, Math.max(0, maxKeep))];
        if (kept.length == 0) {
            return kept;
        }
        Nms nms = new Nms(Arithmetic.FLOAT32, iouThreshold, boxes, labels, 0, scores.length);
        int count = 0;
        for (int i : byDescendingScore(scores)) {
            if (count == kept.length) {
                break;
            }
            if (nms.tryKeep(i)) {
                kept[count++] = i;
            }
        }
        return Arrays.copyOf(kept, count);
    }

    /** {@link #batched(float[], float[], long[], double, int)} on (n, 4) boxes, (n) scores and labels. */
    public static int[] batched(NDArray boxes, NDArray scores, NDArray labels, double iouThreshold, int maxKeep) {
        if (scores.getShape().get(0) == 0 || maxKeep <= 0) {
            return new int[0];
        }
        return batched(
                boxes.toType(DataType.FLOAT32, false).toFloatArray(),
                scores.toType(DataType.FLOAT32, false).toFloatArray(),
                labels.toType(DataType.INT64, false).toLongArray(),
                iouThreshold,
                maxKeep);
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

    /** Keeps box {@code index} (of this run) unless a kept box suppresses it; returns whether it was kept. */
    public boolean tryKeep(int index) {
        int b = first + index;
        if (!(BoxIou.areaDouble(boxes, b) > 0)) {
            return true;
        }
        long[] cells = cellRange(b);
        boolean isLarge = cellCount(cells) > MAX_CELLS_PER_BOX;
        if (suppressedBy(isLarge ? kept : null, index) || suppressedBy(large, index)) {
            return false;
        }
        if (!isLarge) {
            for (long cx = cells[0]; cx <= cells[2]; cx++) {
                for (long cy = cells[1]; cy <= cells[3]; cy++) {
                    if (suppressedBy(grid.get(key(cx, cy)), index)) {
                        return false;
                    }
                }
            }
        }
        kept.add(index);
        if (isLarge) {
            large.add(index);
        } else {
            for (long cx = cells[0]; cx <= cells[2]; cx++) {
                for (long cy = cells[1]; cy <= cells[3]; cy++) {
                    grid.computeIfAbsent(key(cx, cy), k -> new ArrayList<>()).add(index);
                }
            }
        }
        return true;
    }

    private boolean suppressedBy(List<Integer> candidates, int index) {
        if (candidates == null) {
            return false;
        }
        for (int other : candidates) {
            if (labels != null && labels[other] != labels[index]) {
                continue;
            }
            boolean above = arithmetic == Arithmetic.FLOAT32
                    ? BoxIou.iouFloat(boxes, first + other, first + index) > threshold32
                    : BoxIou.iouDouble(boxes, first + index, first + other) > threshold;
            if (above) {
                return true;
            }
        }
        return false;
    }

    private long[] cellRange(int box) {
        int b = 4 * box;
        return new long[] {
            (long) Math.floor(boxes[b] / cellSize), (long) Math.floor(boxes[b + 1] / cellSize),
            (long) Math.floor(boxes[b + 2] / cellSize), (long) Math.floor(boxes[b + 3] / cellSize)
        };
    }

    private static long cellCount(long[] cells) {
        double n = ((double) cells[2] - cells[0] + 1) * ((double) cells[3] - cells[1] + 1);
        return n > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : (long) n;
    }

    private static long key(long cx, long cy) {
        return (cx << 32) ^ (cy & 0xffffffffL);
    }

    /** The median longer side of the non-empty boxes: a grid cell of that size holds a few boxes. */
    private static double typicalSide(float[] boxes, int first, int count) {
        double[] sides = new double[count];
        int n = 0;
        for (int i = 0; i < count; i++) {
            int b = 4 * (first + i);
            double side = Math.max((double) boxes[b + 2] - boxes[b], (double) boxes[b + 3] - boxes[b + 1]);
            if (side > 0 && Double.isFinite(side)) {
                sides[n++] = side;
            }
        }
        if (n == 0) {
            return 1;
        }
        Arrays.sort(sides, 0, n);
        return sides[n / 2];
    }
}
