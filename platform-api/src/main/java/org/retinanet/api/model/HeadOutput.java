package org.retinanet.api.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.retinanet.api.box.GridSize;

/**
 * A dense head's forward output, viewed per level: the NDList holds L classification maps
 * (N, A*K, H, W), then L regression maps (N, A*4, H, W), as mmdetection's heads return them. Each
 * map carries its level's feature size in its shape; channel a*C + c is anchor a, value c.
 */
public record HeadOutput(NDList arrays) {

    public HeadOutput {
        if (arrays.isEmpty() || arrays.size() % 2 != 0) {
            throw new IllegalArgumentException(
                    "a head output holds a classification and a regression map per level, got " + arrays.size()
                            + " arrays");
        }
        int levels = arrays.size() / 2;
        for (int l = 0; l < levels; l++) {
            Shape c = arrays.get(l).getShape();
            Shape r = arrays.get(levels + l).getShape();
            if (c.dimension() != 4
                    || r.dimension() != 4
                    || c.get(0) != r.get(0)
                    || c.get(2) != r.get(2)
                    || c.get(3) != r.get(3)) {
                throw new IllegalArgumentException(
                        "head output level " + l + " needs (N, C, H, W) maps of one size, got " + c + " and " + r);
            }
        }
    }

    public static HeadOutput of(List<NDArray> classification, List<NDArray> regression) {
        NDList all = new NDList(classification.size() + regression.size());
        all.addAll(classification);
        all.addAll(regression);
        return new HeadOutput(all);
    }

    public int levels() {
        return arrays.size() / 2;
    }

    /** (N, A*K, H, W) logits of level l. */
    public NDArray classification(int l) {
        return arrays.get(level(l));
    }

    /** (N, A*4, H, W) box deltas of level l. */
    public NDArray regression(int l) {
        return arrays.get(levels() + level(l));
    }

    public GridSize gridSize(int l) {
        Shape s = classification(l).getShape();
        return new GridSize((int) s.get(2), (int) s.get(3));
    }

    public List<GridSize> gridSizes() {
        List<GridSize> grids = new ArrayList<>(levels());
        for (int l = 0; l < levels(); l++) {
            grids.add(gridSize(l));
        }
        return grids;
    }

    public NDManager manager() {
        return arrays.get(0).getManager();
    }

    /** Every level's logits as (N, H*W*A, K), see {@link #flatten}. */
    public List<NDArray> flatClassification(int anchors) {
        List<NDArray> out = new ArrayList<>(levels());
        for (int l = 0; l < levels(); l++) {
            out.add(flatten(classification(l), anchors));
        }
        return out;
    }

    /** Every level's deltas as (N, H*W*A, 4), see {@link #flatten}. */
    public List<NDArray> flatRegression(int anchors) {
        List<NDArray> out = new ArrayList<>(levels());
        for (int l = 0; l < levels(); l++) {
            out.add(flatten(regression(l), anchors));
        }
        return out;
    }

    /**
     * (N, A*C, H, W) to (N, H*W*A, C) in torchvision's (h, w, anchor) order: row (h*W + w)*A + a,
     * column c is channel a*C + c at (h, w). Only moves values, so results stay bit-identical.
     */
    public static NDArray flatten(NDArray map, int anchors) {
        Shape s = map.getShape();
        if (s.dimension() != 4 || s.get(1) % anchors != 0) {
            throw new IllegalArgumentException("expected an (N, A*C, H, W) map with A = " + anchors + ", got " + s);
        }
        long n = s.get(0);
        long h = s.get(2);
        long w = s.get(3);
        long perAnchor = s.get(1) / anchors;
        return map.reshape(n, anchors, perAnchor, h, w).transpose(0, 3, 4, 1, 2).reshape(n, h * w * anchors, perAnchor);
    }

    private int level(int l) {
        if (l < 0 || l >= levels()) {
            throw new IndexOutOfBoundsException("level " + l + " of " + levels());
        }
        return l;
    }
}
