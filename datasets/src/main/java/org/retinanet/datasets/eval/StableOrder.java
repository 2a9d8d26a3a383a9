package org.retinanet.datasets.eval;

/**
 * Stable ordering of indices by descending score, with numpy's {@code argsort(-s, kind='mergesort')}
 * tie rule: equal scores keep their input order. Compares with {@code >} (never
 * {@link Double#compare}), so -0.0 and 0.0 tie as they do in numpy.
 */
final class StableOrder {

    private static final int INSERTION_MAX = 24;

    private StableOrder() {}

    /** Sorts {@code idx[from, to)} by {@code score[idx]} descending, stably; {@code tmp} at least as long as idx. */
    static void byScoreDescending(int[] idx, int from, int to, double[] score, int[] tmp) {
        if (to - from <= INSERTION_MAX) {
            insertion(idx, from, to, score);
            return;
        }
        int mid = (from + to) >>> 1;
        byScoreDescending(idx, from, mid, score, tmp);
        byScoreDescending(idx, mid, to, score, tmp);
        if (!(score[idx[mid]] > score[idx[mid - 1]])) {
            return; // already in order
        }
        System.arraycopy(idx, from, tmp, from, to - from);
        int i = from;
        int j = mid;
        int k = from;
        while (i < mid && j < to) {
            // the right element goes first only when strictly greater: stability
            idx[k++] = score[tmp[j]] > score[tmp[i]] ? tmp[j++] : tmp[i++];
        }
        while (i < mid) {
            idx[k++] = tmp[i++];
        }
        while (j < to) {
            idx[k++] = tmp[j++];
        }
    }

    private static void insertion(int[] idx, int from, int to, double[] score) {
        for (int i = from + 1; i < to; i++) {
            int v = idx[i];
            double s = score[v];
            int j = i - 1;
            while (j >= from && s > score[idx[j]]) {
                idx[j + 1] = idx[j];
                j--;
            }
            idx[j + 1] = v;
        }
    }
}
