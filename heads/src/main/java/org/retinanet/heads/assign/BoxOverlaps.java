package org.retinanet.heads.assign;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;

/**
 * Pairwise overlaps of corner boxes as NDArray ops on the boxes' device. The arithmetic follows
 * torchvision's {@code box_iou} step by step (no +1), so equal overlaps, on which low-quality
 * matching depends, are equal bit for bit; the union is clamped at 1e-6 as mmdetection does.
 */
public final class BoxOverlaps {

    private static final float EPS = 1e-6f;

    private BoxOverlaps() {}

    /** (x2 - x1) * (y2 - y1) of (..., 4) boxes. */
    public static NDArray area(NDArray boxes) {
        NDArray w = boxes.get("..., 2").sub(boxes.get("..., 0"));
        NDArray h = boxes.get("..., 3").sub(boxes.get("..., 1"));
        return w.mul(h);
    }

    /** Intersection areas, (A, B), of boxes a (A, 4) and b (B, 4). */
    public static NDArray intersection(NDArray a, NDArray b) {
        NDArray a3 = a.expandDims(1);
        NDArray lt = a3.get(new NDIndex(":, :, :2")).maximum(b.get(new NDIndex(":, :2")));
        NDArray rb = a3.get(new NDIndex(":, :, 2:")).minimum(b.get(new NDIndex(":, 2:")));
        NDArray wh = rb.sub(lt).maximum(0f);
        return wh.get("..., 0").mul(wh.get("..., 1"));
    }

    /** IoU matrix (A, B). */
    public static NDArray iou(NDArray a, NDArray b) {
        NDArray inter = intersection(a, b);
        NDArray union = area(a).expandDims(1).add(area(b)).sub(inter).maximum(EPS);
        return inter.div(union);
    }

    /** Intersection over the area of each box of {@code a}, (A, B). */
    public static NDArray iof(NDArray a, NDArray b) {
        NDArray inter = intersection(a, b);
        return inter.div(area(a).expandDims(1).maximum(EPS));
    }
}
