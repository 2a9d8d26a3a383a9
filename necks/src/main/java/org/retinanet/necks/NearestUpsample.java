package org.retinanet.necks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;

/**
 * {@code F.interpolate(x, size=(h, w), mode="nearest")}: output pixel i reads input pixel
 * min(floor(i * in / out), in - 1), with the scale computed in float32 as PyTorch does, so odd
 * sizes (a 7-row map upsampled to 13 rows) pick exactly the rows PyTorch picks.
 */
final class NearestUpsample {

    private NearestUpsample() {}

    /** Upsamples the last two axes of an (N, C, H, W) array to (height, width). */
    static NDArray toSize(NDArray x, long height, long width) {
        long inH = x.getShape().get(2);
        long inW = x.getShape().get(3);
        NDArray rows = inH == height ? x : x.get(new NDIndex(":, :, {}", indexArray(x, inH, height)));
        return inW == width ? rows : rows.get(new NDIndex(":, :, :, {}", indexArray(x, inW, width)));
    }

    static long[] sourceIndices(long in, long out) {
        float scale = (float) in / (float) out;
        long[] idx = new long[(int) out];
        for (int i = 0; i < out; i++) {
            idx[i] = Math.min((long) Math.floor((float) i * scale), in - 1);
        }
        return idx;
    }

    private static NDArray indexArray(NDArray like, long in, long out) {
        return like.getManager().create(sourceIndices(in, out)).toDevice(like.getDevice(), false);
    }
}
