package org.retinanet.experiments.tensorboard;

import java.util.Arrays;

/**
 * A HistogramProto's content: {@code bucketLimits[i]} is the right edge of bucket i (the last one
 * is the maximum), the left edge of bucket 0 is {@code min}; TensorBoard draws exactly these.
 */
public record Histogram(
        double min,
        double max,
        double num,
        double sum,
        double sumSquares,
        double[] bucketLimits,
        double[] bucketCounts) {

    /** TensorBoard's own summary API uses 30 buckets by default. */
    public static final int DEFAULT_BUCKETS = 30;

    /**
     * {@code buckets} equal-width buckets from the smallest to the largest finite value (one
     * bucket when they are equal). Non-finite values are left out: a histogram is a picture, and
     * a NaN is the NaN guard's business.
     *
     * @throws IllegalArgumentException when there is no finite value
     */
    public static Histogram of(double[] values, int buckets) {
        if (buckets <= 0) {
            throw new IllegalArgumentException("histogram: buckets must be positive, got " + buckets);
        }
        double[] finite = Arrays.stream(values).filter(Double::isFinite).toArray();
        if (finite.length == 0) {
            throw new IllegalArgumentException("histogram: no finite value among " + values.length);
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0;
        double sumSquares = 0;
        for (double v : finite) {
            min = Math.min(min, v);
            max = Math.max(max, v);
            sum += v;
            sumSquares += v * v;
        }
        int k = min == max ? 1 : buckets;
        double width = (max - min) / k;
        double[] limits = new double[k];
        for (int i = 0; i < k - 1; i++) {
            limits[i] = min + (i + 1) * width;
        }
        limits[k - 1] = max;
        double[] counts = new double[k];
        for (double v : finite) {
            int i = k == 1 ? 0 : (int) Math.min(k - 1, Math.floor((v - min) / width));
            counts[i]++;
        }
        return new Histogram(min, max, finite.length, sum, sumSquares, limits, counts);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Histogram h
                && min == h.min
                && max == h.max
                && num == h.num
                && sum == h.sum
                && sumSquares == h.sumSquares
                && Arrays.equals(bucketLimits, h.bucketLimits)
                && Arrays.equals(bucketCounts, h.bucketCounts);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(bucketLimits) + Arrays.hashCode(bucketCounts);
    }

    @Override
    public String toString() {
        return "Histogram[min=" + min + ", max=" + max + ", num=" + num + ", limits=" + Arrays.toString(bucketLimits)
                + ", counts=" + Arrays.toString(bucketCounts) + "]";
    }
}
