package org.retinanet.datasets.eval;

import java.util.List;

/**
 * COCOeval's evaluation parameters as primitive arrays. The thresholds are built the way numpy's
 * {@code linspace} builds them ({@code i * step + start}, last element set to stop), so they are
 * bit-identical to pycocotools' (0.8999999999999999, not 0.9).
 */
public final class CocoEvalParams {

    final double[] iouThrs;
    final double[] recThrs;
    final int[] maxDets;
    final double[] areaLo;
    final double[] areaHi;
    final String[] areaLabels;

    CocoEvalParams(CocoEvaluatorConfig config) {
        this.iouThrs = linspace(0.5, 0.95, 10);
        this.recThrs = linspace(0.0, 1.0, 101);
        this.maxDets = config.maxDets().stream().mapToInt(Integer::intValue).toArray();
        List<CocoEvaluatorConfig.AreaRange> ranges = config.areaRanges();
        this.areaLo =
                ranges.stream().mapToDouble(CocoEvaluatorConfig.AreaRange::min).toArray();
        this.areaHi =
                ranges.stream().mapToDouble(CocoEvaluatorConfig.AreaRange::max).toArray();
        this.areaLabels =
                ranges.stream().map(CocoEvaluatorConfig.AreaRange::label).toArray(String[]::new);
    }

    /** numpy.linspace(start, stop, num, endpoint=True) for float64. */
    static double[] linspace(double start, double stop, int num) {
        double[] y = new double[num];
        double step = (stop - start) / (num - 1);
        for (int i = 0; i < num; i++) {
            y[i] = i * step + start;
        }
        y[num - 1] = stop;
        return y;
    }

    public double[] iouThresholds() {
        return iouThrs.clone();
    }

    public double[] recallThresholds() {
        return recThrs.clone();
    }

    int maxDetLast() {
        return maxDets[maxDets.length - 1];
    }
}
