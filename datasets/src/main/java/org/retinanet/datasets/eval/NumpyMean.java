package org.retinanet.datasets.eval;

/**
 * {@code np.mean(s[s > -1])} as numpy computes it for a contiguous float64 vector: the reduction
 * walks the data in buffers of 8192 elements, adding each buffer's pairwise sum (8 accumulators,
 * blocks of 128, halves aligned to 8) to the running total, then divides by the count. Summing in
 * the same order gives the same bits as pycocotools.
 */
final class NumpyMean {

    private static final int BLOCK = 128;
    private static final int BUFFER = 8192; // numpy's default ufunc buffer size

    private NumpyMean() {}

    /** Mean of the entries of {@code values[0, n)}; callers pass only the entries that are > -1. */
    static double mean(double[] values, int n) {
        if (n == 0) {
            return Double.NaN;
        }
        double sum = 0.0;
        for (int from = 0; from < n; from += BUFFER) {
            sum += pairwiseSum(values, from, Math.min(BUFFER, n - from));
        }
        return sum / n;
    }

    static double pairwiseSum(double[] a, int from, int n) {
        if (n < 8) {
            double res = 0.0;
            for (int i = 0; i < n; i++) {
                res += a[from + i];
            }
            return res;
        } else if (n <= BLOCK) {
            double r0 = a[from], r1 = a[from + 1], r2 = a[from + 2], r3 = a[from + 3];
            double r4 = a[from + 4], r5 = a[from + 5], r6 = a[from + 6], r7 = a[from + 7];
            int i;
            for (i = 8; i < n - (n % 8); i += 8) {
                r0 += a[from + i];
                r1 += a[from + i + 1];
                r2 += a[from + i + 2];
                r3 += a[from + i + 3];
                r4 += a[from + i + 4];
                r5 += a[from + i + 5];
                r6 += a[from + i + 6];
                r7 += a[from + i + 7];
            }
            double res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
            for (; i < n; i++) {
                res += a[from + i];
            }
            return res;
        } else {
            int n2 = n / 2;
            n2 -= n2 % 8;
            return pairwiseSum(a, from, n2) + pairwiseSum(a, from + n2, n - n2);
        }
    }
}
