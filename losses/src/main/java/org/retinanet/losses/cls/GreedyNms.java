package org.retinanet.losses.cls;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Incremental greedy NMS over boxes (x1, y1, x2, y2) visited in priority order: a box is kept
 * unless its IoU with an already kept box is above the threshold (torchvision's rule, IoU > thr).
 * Kept boxes are indexed in a uniform grid so that a dense detector's ~10^5 anchors are checked only
 * against the kept boxes near them. Boxes of zero area, or with non-finite coordinates, overlap
 * nothing: they are never suppressed and suppress nothing.
 */
final class GreedyNms {

    /** A box spanning more cells than this is checked linearly instead of being indexed. */
    private static final long MAX_CELLS_PER_BOX = 256;

    private final double iouThreshold;
    private final float[] boxes;
    private final int offset;
    private final double cellSize;
    private final Map<Long, List<Integer>> grid = new HashMap<>();
    private final List<Integer> large = new ArrayList<>();
    private final List<Integer> kept = new ArrayList<>();

    /**
     * @param iouThreshold suppress above this IoU
     * @param boxes 4 floats per anchor
     * @param offset index of the first float of anchor 0 of this image in {@code boxes}
     * @param count number of anchors of this image
     */
    GreedyNms(double iouThreshold, float[] boxes, int offset, int count) {
        this.iouThreshold = iouThreshold;
        this.boxes = boxes;
        this.offset = offset;
        this.cellSize = typicalSide(boxes, offset, count);
    }

    /** Keeps the anchor unless a kept box suppresses it; returns whether it was kept. */
    boolean tryKeep(int anchor) {
        int b = offset + 4 * anchor;
        double area = area(b);
        if (!(area > 0)) {
            return true;
        }
        long[] cells = cellRange(b);
        boolean isLarge = cellCount(cells) > MAX_CELLS_PER_BOX;
        if (suppressedBy(isLarge ? kept : null, b, area) || suppressedBy(large, b, area)) {
            return false;
        }
        if (!isLarge) {
            for (long cx = cells[0]; cx <= cells[2]; cx++) {
                for (long cy = cells[1]; cy <= cells[3]; cy++) {
                    if (suppressedBy(grid.get(key(cx, cy)), b, area)) {
                        return false;
                    }
                }
            }
        }
        kept.add(anchor);
        if (isLarge) {
            large.add(anchor);
        } else {
            for (long cx = cells[0]; cx <= cells[2]; cx++) {
                for (long cy = cells[1]; cy <= cells[3]; cy++) {
                    grid.computeIfAbsent(key(cx, cy), k -> new ArrayList<>()).add(anchor);
                }
            }
        }
        return true;
    }

    private boolean suppressedBy(List<Integer> candidates, int b, double area) {
        if (candidates == null) {
            return false;
        }
        for (int other : candidates) {
            if (iou(b, area, offset + 4 * other) > iouThreshold) {
                return true;
            }
        }
        return false;
    }

    private double iou(int a, double areaA, int b) {
        double iw = Math.min(boxes[a + 2], boxes[b + 2]) - Math.max(boxes[a], boxes[b]);
        double ih = Math.min(boxes[a + 3], boxes[b + 3]) - Math.max(boxes[a + 1], boxes[b + 1]);
        if (iw <= 0 || ih <= 0) {
            return 0;
        }
        double inter = iw * ih;
        return inter / (areaA + area(b) - inter);
    }

    /** Area, or 0 for an empty, inverted or non-finite box. */
    private double area(int b) {
        double w = (double) boxes[b + 2] - boxes[b];
        double h = (double) boxes[b + 3] - boxes[b + 1];
        if (!Double.isFinite(w) || !Double.isFinite(h) || w <= 0 || h <= 0) {
            return 0;
        }
        return w * h;
    }

    private long[] cellRange(int b) {
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
    private static double typicalSide(float[] boxes, int offset, int count) {
        double[] sides = new double[count];
        int n = 0;
        for (int i = 0; i < count; i++) {
            int b = offset + 4 * i;
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
