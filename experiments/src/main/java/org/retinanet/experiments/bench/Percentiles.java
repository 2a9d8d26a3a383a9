package org.retinanet.experiments.bench;

import java.util.Arrays;

/** Summary of a sample of times: median and spread with numpy's default (linear) percentiles. */
public record Percentiles(double median, double p10, double p90, double min, double max, double mean) {

    public static Percentiles of(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("no values to summarise");
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return new Percentiles(
                at(sorted, 50),
                at(sorted, 10),
                at(sorted, 90),
                sorted[0],
                sorted[sorted.length - 1],
                Arrays.stream(sorted).average().orElseThrow());
    }

    /** numpy.percentile(values, q) with linear interpolation between closest ranks. */
    static double at(double[] sorted, double q) {
        double rank = q / 100.0 * (sorted.length - 1);
        int lo = (int) Math.floor(rank);
        int hi = (int) Math.ceil(rank);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
    }

    /** The same summary with every value multiplied by {@code factor} (units). */
    public Percentiles scaled(double factor) {
        return new Percentiles(median * factor, p10 * factor, p90 * factor, min * factor, max * factor, mean * factor);
    }
}
