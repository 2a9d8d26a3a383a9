package org.retinanet.experiments.report;

import java.util.List;
import org.apache.commons.math3.stat.inference.TTest;

/**
 * Whether a cell's AP differs from the reference cell's, in numbers (Welch's two-sided t-test over
 * seeds) and in words, so that a reader of one-table reports does not take noise for a result.
 */
final class Significance {

    /** The level below which a difference is called significant. */
    static final double LEVEL = 0.05;

    private Significance() {}

    /** Welch's p, or NaN when either side has fewer than two values. */
    static double p(List<Double> a, List<Double> b) {
        if (a.size() < 2 || b.size() < 2) {
            return Double.NaN;
        }
        if (ReportBuilder.std(a) == 0 && ReportBuilder.std(b) == 0) {
            return ReportBuilder.mean(a) == ReportBuilder.mean(b) ? 1 : 0;
        }
        return new TTest()
                .tTest(
                        a.stream().mapToDouble(Double::doubleValue).toArray(),
                        b.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** The table's p column: the value, with "n.s." when it is not significant at {@link #LEVEL}. */
    static String cell(List<Double> a, List<Double> b) {
        double p = p(a, b);
        if (Double.isNaN(p)) {
            return "n/a";
        }
        return String.format("%.3g", p) + (p < LEVEL ? "" : " (n.s.)");
    }

    /** One sentence comparing {@code name}'s AP with the reference's. */
    static String sentence(String name, List<Double> a, String reference, List<Double> b) {
        String head = String.format(
                "`%s`: AP %s (%d seeds) vs %s (%d seeds) for `%s`",
                name, meanStd(a), a.size(), meanStd(b), b.size(), reference);
        double p = p(a, b);
        if (Double.isNaN(p)) {
            return head + ": not tested (a t-test needs at least two finished seeds on each side).";
        }
        String diff =
                String.format("difference %+.3f, Welch's p = %.3g", ReportBuilder.mean(a) - ReportBuilder.mean(b), p);
        return p < LEVEL
                ? head + ": " + diff + ", significant at the 5% level."
                : head + ": " + diff + ", not significant at the 5% level: these seeds do not show a difference.";
    }

    static String meanStd(List<Double> v) {
        if (v.isEmpty()) {
            return "-";
        }
        return v.size() == 1
                ? String.format("%.3f", v.get(0))
                : String.format("%.3f +- %.3f", ReportBuilder.mean(v), ReportBuilder.std(v));
    }
}
