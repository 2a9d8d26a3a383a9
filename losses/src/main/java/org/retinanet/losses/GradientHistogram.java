package org.retinanet.losses;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;

/**
 * The gradient-density bookkeeping of GHM (Li et al., "Gradient Harmonized Single-stage
 * Detector"), with mmdetection's semantics: bin edges i / bins (float32) with a custom last edge,
 * per-bin counts of the valid elements, an optional exponential moving average of the counts
 * (kept across calls, updated only for bins that are non-empty in the call), and for a member of
 * bin i the weight {@code scale / acc_i / n}, where n is the number of non-empty bins.
 *
 * <p>Bin membership is exactly mmdetection's {@code edges[i] <= g < edges[i+1]}: a float index
 * floor(g * bins) is corrected once against the float32 edges.
 */
public final class GradientHistogram {

    private final int bins;
    private final double momentum;
    private final float[] edges;
    private final double[] accumulated;

    /**
     * @param bins number of bins
     * @param momentum EMA momentum in [0, 1); 0 uses the current counts
     * @param lastEdge the upper edge of the last bin (1 + 1e-6 for GHM-C, 1e3 for GHM-R)
     */
    public GradientHistogram(int bins, double momentum, float lastEdge) {
        this.bins = bins;
        this.momentum = momentum;
        this.edges = new float[bins + 1];
        for (int i = 0; i <= bins; i++) {
            edges[i] = (float) i / (float) bins;
        }
        edges[bins] = lastEdge;
        this.accumulated = new double[bins];
    }

    /** GHM-C's edges: the last one is 1 + 1e-6 (in float32, as mmdetection adds it to a float tensor). */
    public static GradientHistogram forClassification(int bins, double momentum) {
        return new GradientHistogram(bins, momentum, 1.0f + 1e-6f);
    }

    /** GHM-R's edges: the last one is 1e3. */
    public static GradientHistogram forRegression(int bins, double momentum) {
        return new GradientHistogram(bins, momentum, 1e3f);
    }

    /**
     * Weights of every element: {@code scale / acc_i / n} for a valid element in bin i, 0 for the
     * others. Updates the moving average when momentum > 0.
     *
     * @param g gradient norms (any shape), without gradient
     * @param valid same shape, true where the element counts
     * @param scale mmdetection's {@code tot}, or what the caller normalises by instead
     * @param manager where the intermediates go
     * @return weights of g's shape and type, without gradient
     */
    public synchronized NDArray weights(NDArray g, NDArray valid, double scale, NDManager manager) {
        NDArray edgeArray = manager.create(edges).toDevice(g.getDevice(), false);
        NDArray idx = g.mul(bins).floor().clip(0, bins - 1).toType(DataType.INT64, false);
        NDArray lower = edgeArray.take(idx);
        NDArray upper = edgeArray.take(idx.add(1));
        idx = idx.sub(g.lt(lower).toType(DataType.INT64, false))
                .add(g.gte(upper).toType(DataType.INT64, false));
        NDArray member = valid.logicalAnd(idx.gte(0)).logicalAnd(idx.lt(bins)).logicalAnd(g.lt(edges[bins]));
        // the extra index "bins" stands for "no bin": its weight is 0
        NDArray outside = manager.full(idx.getShape(), (long) bins, DataType.INT64, g.getDevice());
        idx = NDArrays.where(member, idx, outside);

        long[] counts = countPerBin(idx);
        int nonEmpty = 0;
        for (int i = 0; i < bins; i++) {
            if (counts[i] > 0) {
                accumulated[i] = momentum > 0 ? momentum * accumulated[i] + (1 - momentum) * counts[i] : counts[i];
                nonEmpty++;
            }
        }
        float[] table = new float[bins + 1];
        for (int i = 0; i < bins; i++) {
            table[i] = counts[i] > 0 ? (float) (scale / accumulated[i] / nonEmpty) : 0f;
        }
        NDArray weightTable = manager.create(table).toDevice(g.getDevice(), false);
        return weightTable.take(idx).toType(g.getDataType(), false);
    }

    /** One transfer to the host and a counting loop: cheaper than one device pass per bin. */
    private long[] countPerBin(NDArray idx) {
        long[] counts = new long[bins + 1];
        if (bins + 1 <= 255) {
            byte[] values = idx.toType(DataType.UINT8, false).toByteArray();
            for (byte v : values) {
                counts[v & 0xFF]++;
            }
        } else {
            for (int v : idx.toType(DataType.INT32, false).toIntArray()) {
                counts[v]++;
            }
        }
        return counts;
    }

    public int bins() {
        return bins;
    }

    /** The moving average of the bin counts (mmdetection's {@code acc_sum} buffer); a copy. */
    public synchronized double[] accumulated() {
        return Arrays.copyOf(accumulated, bins);
    }

    /** Restores {@code acc_sum}, e.g. from an mmdetection GHM checkpoint. */
    public synchronized void restoreAccumulated(double[] values) {
        if (values.length != bins) {
            throw new IllegalArgumentException("GHM acc_sum has " + values.length + " bins, the loss has " + bins);
        }
        System.arraycopy(values, 0, accumulated, 0, bins);
    }

    /** The float32 bin edges (bins + 1 values); a copy. */
    public float[] edges() {
        return edges.clone();
    }
}
