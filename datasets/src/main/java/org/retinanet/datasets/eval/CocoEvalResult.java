package org.retinanet.datasets.eval;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * COCOeval's {@code eval['precision']} [T, R, K, A, M] and {@code eval['recall']} [T, K, A, M]
 * (-1 where a category has no non-ignored ground truth), with summarize()'s twelve numbers, its
 * printed text and mmdetection's classwise AP.
 */
public final class CocoEvalResult {

    /** summarize()'s metric names, in stats order. */
    public static final List<String> METRIC_NAMES =
            List.of("AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl");

    private final CocoEvalParams params;
    private final long[] categoryIds;
    private final String[] categoryNames;
    private final double[] precision;
    private final double[] recall;
    private final int T, R, K, A, M;

    CocoEvalResult(
            CocoEvalParams params, long[] categoryIds, String[] categoryNames, double[] precision, double[] recall) {
        this.params = params;
        this.categoryIds = categoryIds;
        this.categoryNames = categoryNames;
        this.precision = precision;
        this.recall = recall;
        T = params.iouThrs.length;
        R = params.recThrs.length;
        K = categoryIds.length;
        A = params.areaLo.length;
        M = params.maxDets.length;
    }

    public CocoEvalParams params() {
        return params;
    }

    /** Category ids in evaluation (sorted) order. */
    public long[] categoryIds() {
        return categoryIds.clone();
    }

    public String categoryName(int k) {
        return categoryNames[k];
    }

    public double precision(int t, int r, int k, int a, int m) {
        return precision[(((t * R + r) * K + k) * A + a) * M + m];
    }

    public double recall(int t, int k, int a, int m) {
        return recall[((t * K + k) * A + a) * M + m];
    }

    /** The twelve numbers of summarize(), -1 where nothing is defined. */
    public double[] stats() {
        int last = M - 1;
        return new double[] {
            meanPrecision(-1, 0, last), meanPrecision(0.5, 0, last), meanPrecision(0.75, 0, last),
            meanPrecision(-1, 1, last), meanPrecision(-1, 2, last), meanPrecision(-1, 3, last),
            meanRecall(-1, 0, 0), meanRecall(-1, 0, 1), meanRecall(-1, 0, last),
            meanRecall(-1, 1, last), meanRecall(-1, 2, last), meanRecall(-1, 3, last),
        };
    }

    /** The text summarize() prints, twelve lines. */
    public String summary() {
        double[] s = stats();
        List<String> lines = new ArrayList<>();
        int last = M - 1;
        double[] ious = {-1, 0.5, 0.75, -1, -1, -1, -1, -1, -1, -1, -1, -1};
        int[] areas = {0, 0, 0, 1, 2, 3, 0, 0, 0, 1, 2, 3};
        int[] dets = {last, last, last, last, last, last, 0, 1, last, last, last, last};
        for (int i = 0; i < 12; i++) {
            boolean ap = i < 6;
            String iouStr = ious[i] < 0
                    ? fixed(params.iouThrs[0], 2) + ":" + fixed(params.iouThrs[T - 1], 2)
                    : fixed(ious[i], 2);
            lines.add(String.format(
                    Locale.ROOT,
                    " %-18s %s @[ IoU=%-9s | area=%6s | maxDets=%3d ] = %s",
                    ap ? "Average Precision" : "Average Recall",
                    ap ? "(AP)" : "(AR)",
                    iouStr,
                    params.areaLabels[areas[i]],
                    params.maxDets[dets[i]],
                    fixed(s[i], 3)));
        }
        return String.join("\n", lines);
    }

    /**
     * mmdetection's classwise AP: mean precision over IoU .50:.95 and recall thresholds, area
     * "all", the last maxDets; NaN for a category without ground truth. In category-id order.
     */
    public double[] perCategoryAp() {
        double[] ap = new double[K];
        double[] buf = new double[T * R];
        for (int k = 0; k < K; k++) {
            int n = 0;
            for (int t = 0; t < T; t++) {
                for (int r = 0; r < R; r++) {
                    double v = precision(t, r, k, 0, M - 1);
                    if (v > -1) {
                        buf[n++] = v;
                    }
                }
            }
            ap[k] = NumpyMean.mean(buf, n);
        }
        return ap;
    }

    /** summarize()'s AP: precision[t?, :, :, a, m] entries > -1, in C order, averaged as numpy. */
    private double meanPrecision(double iouThr, int a, int m) {
        double[] buf = new double[T * R * K];
        int n = 0;
        for (int t = 0; t < T; t++) {
            if (iouThr >= 0 && params.iouThrs[t] != iouThr) {
                continue;
            }
            for (int r = 0; r < R; r++) {
                for (int k = 0; k < K; k++) {
                    double v = precision(t, r, k, a, m);
                    if (v > -1) {
                        buf[n++] = v;
                    }
                }
            }
        }
        return n == 0 ? -1 : NumpyMean.mean(buf, n);
    }

    private double meanRecall(double iouThr, int a, int m) {
        double[] buf = new double[T * K];
        int n = 0;
        for (int t = 0; t < T; t++) {
            if (iouThr >= 0 && params.iouThrs[t] != iouThr) {
                continue;
            }
            for (int k = 0; k < K; k++) {
                double v = recall(t, k, a, m);
                if (v > -1) {
                    buf[n++] = v;
                }
            }
        }
        return n == 0 ? -1 : NumpyMean.mean(buf, n);
    }

    /** Python's '{:0.Nf}': the exact binary value rounded half-even (String.format rounds half-up). */
    static String fixed(double v, int decimals) {
        return new BigDecimal(v).setScale(decimals, RoundingMode.HALF_EVEN).toPlainString();
    }
}
