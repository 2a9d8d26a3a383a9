package org.retinanet.datasets.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.retinanet.api.box.BoxIou;

/**
 * pycocotools' {@code COCOeval.evaluate()} + {@code accumulate()} for bounding boxes, category by
 * category on primitive arrays. Categories are independent, so they run in parallel; each writes
 * only its own slice of the precision/recall arrays, so the result does not depend on threads.
 *
 * <p>Per (image, category): detections sorted by score (stable) and cut to the last maxDets; IoU
 * as maskApi's bbIou (crowd: intersection over detection area); per area range the ground truth
 * is marked ignored (crowd, or area outside the inclusive range) and sorted non-ignored first;
 * greedy matching per IoU threshold exactly as evaluateImg. Per category, the detections of all
 * images are merged in one stable score order (image order, then rank, breaks ties, as numpy's
 * mergesort over the concatenation does), and for each (area range, maxDets) the cumulative
 * TP/FP give recall and interpolated precision at the 101 recall thresholds.
 */
public final class CocoEval {

    // per-detection outcome at one (area range, IoU threshold)
    private static final byte FP = 0;
    private static final byte TP = 1;
    private static final byte IGNORED = 2;

    private final CocoEvalProblem p;
    private final CocoEvalParams params;
    private final int T, R, K, A, M;
    private final double[] precision; // [T][R][K][A][M]
    private final double[] recall; // [T][K][A][M]

    private CocoEval(CocoEvalProblem problem, CocoEvalParams params) {
        this.p = problem;
        this.params = params;
        T = params.iouThrs.length;
        R = params.recThrs.length;
        K = problem.categoryIds.length;
        A = params.areaLo.length;
        M = params.maxDets.length;
        precision = new double[T * R * K * A * M];
        recall = new double[T * K * A * M];
        java.util.Arrays.fill(precision, -1.0);
        java.util.Arrays.fill(recall, -1.0);
    }

    /** Evaluates and accumulates; {@code threads} workers over categories. */
    public static CocoEvalResult run(CocoEvalProblem problem, CocoEvaluatorConfig config) {
        CocoEvalParams params = new CocoEvalParams(config);
        CocoEval eval = new CocoEval(problem, params);
        int threads = Math.min(config.threads(), Math.max(1, eval.K));
        if (threads <= 1) {
            CategoryWork work = eval.new CategoryWork();
            for (int k = 0; k < eval.K; k++) {
                work.run(k);
            }
        } else {
            eval.runParallel(threads);
        }
        return new CocoEvalResult(params, problem.categoryIds, problem.categoryNames, eval.precision, eval.recall);
    }

    private void runParallel(int threads) {
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "coco-eval");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
            for (int w = 0; w < threads; w++) {
                futures.add(pool.submit(() -> {
                    CategoryWork work = new CategoryWork();
                    for (int k = next.getAndIncrement(); k < K; k = next.getAndIncrement()) {
                        work.run(k);
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("COCO evaluation interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("COCO evaluation failed", cause);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Scratch buffers of one worker, grown on demand and reused across categories. */
    private final class CategoryWork {
        private int[] sortTmp = new int[64];
        private double[] ious = new double[64];
        private int[] gtOrder = new int[16];
        private boolean[] gtIgnore = new boolean[16];
        private boolean[] gtTaken = new boolean[16];

        void run(int k) {
            int images = p.imageIds.length;
            int maxDetLast = params.maxDetLast();
            int base = k * images;

            // 1. each image's detections in score order, cut to the last maxDets; concatenated
            int[] offset = new int[images + 1];
            for (int i = 0; i < images; i++) {
                int n = p.dtStart[base + i + 1] - p.dtStart[base + i];
                offset[i + 1] = offset[i] + Math.min(n, maxDetLast);
            }
            int total = offset[images];
            int[] det = new int[total]; // problem index of each concatenated detection
            int[] rank = new int[total]; // its rank within its image
            double[] score = new double[total];
            int[] npig = new int[A];
            byte[][] outcome = new byte[A][T * total];

            for (int i = 0; i < images; i++) {
                int b = base + i;
                int d0 = p.dtStart[b];
                int nd = p.dtStart[b + 1] - d0;
                int g0 = p.gtStart[b];
                int ng = p.gtStart[b + 1] - g0;
                if (nd == 0 && ng == 0) {
                    continue; // evaluateImg returns None
                }
                int[] sorted = sortedDetections(d0, nd);
                int off = offset[i];
                int count = offset[i + 1] - off;
                for (int j = 0; j < count; j++) {
                    det[off + j] = sorted[j];
                    rank[off + j] = j;
                    score[off + j] = p.dtScore[sorted[j]];
                }
                computeIous(det, off, count, g0, ng);
                for (int a = 0; a < A; a++) {
                    npig[a] += matchImage(a, det, off, count, g0, ng, outcome[a], total);
                }
            }
            accumulate(k, total, rank, score, npig, outcome);
        }

        private int[] sortedDetections(int d0, int nd) {
            int[] idx = new int[nd];
            for (int j = 0; j < nd; j++) {
                idx[j] = d0 + j;
            }
            if (sortTmp.length < nd) {
                sortTmp = new int[nd * 2];
            }
            StableOrder.byScoreDescending(idx, 0, nd, p.dtScore, sortTmp);
            return idx;
        }

        /** ious[d * ng + g] with gt in file order, as computeIoU. */
        private void computeIous(int[] det, int off, int nd, int g0, int ng) {
            if (ious.length < nd * ng) {
                ious = new double[nd * ng * 2];
            }
            for (int d = 0; d < nd; d++) {
                int di = det[off + d];
                double dx = p.dtX[di], dy = p.dtY[di], dw = p.dtW[di], dh = p.dtH[di];
                for (int g = 0; g < ng; g++) {
                    int gi = g0 + g;
                    ious[d * ng + g] =
                            BoxIou.iouXywh(dx, dy, dw, dh, p.gtX[gi], p.gtY[gi], p.gtW[gi], p.gtH[gi], p.gtCrowd[gi]);
                }
            }
        }

        /**
         * evaluateImg for one area range: writes each detection's outcome per IoU threshold and
         * returns the number of non-ignored gt.
         */
        private int matchImage(int a, int[] det, int off, int nd, int g0, int ng, byte[] out, int stride) {
            double lo = params.areaLo[a];
            double hi = params.areaHi[a];
            if (gtOrder.length < ng) {
                gtOrder = new int[ng * 2];
                gtIgnore = new boolean[ng * 2];
                gtTaken = new boolean[ng * 2];
            }
            // gt sorted non-ignored first, stable (argsort of _ignore, mergesort)
            int n = 0;
            for (int g = 0; g < ng; g++) {
                double area = p.gtArea[g0 + g];
                if (!(p.gtCrowd[g0 + g] || area < lo || area > hi)) {
                    gtOrder[n] = g;
                    gtIgnore[n++] = false;
                }
            }
            int regular = n;
            for (int g = 0; g < ng; g++) {
                double area = p.gtArea[g0 + g];
                if (p.gtCrowd[g0 + g] || area < lo || area > hi) {
                    gtOrder[n] = g;
                    gtIgnore[n++] = true;
                }
            }
            for (int t = 0; t < T; t++) {
                java.util.Arrays.fill(gtTaken, 0, ng, false);
                double thr = Math.min(params.iouThrs[t], 1 - 1e-10);
                int row = t * stride + off;
                for (int d = 0; d < nd; d++) {
                    double best = thr;
                    int m = -1;
                    int iouRow = d * ng;
                    for (int s = 0; s < ng; s++) {
                        int g = gtOrder[s];
                        if (gtTaken[s] && !p.gtCrowd[g0 + g]) {
                            continue;
                        }
                        if (m > -1 && !gtIgnore[m] && gtIgnore[s]) {
                            break;
                        }
                        double v = ious[iouRow + g];
                        if (v < best) {
                            continue;
                        }
                        best = v;
                        m = s;
                    }
                    byte result;
                    if (m == -1) {
                        result = outsideRange(det[off + d], lo, hi) ? IGNORED : FP;
                    } else {
                        gtTaken[m] = true;
                        // dtm holds the gt's id: an id of 0 reads as "unmatched" in pycocotools
                        boolean matched = p.gtId[g0 + gtOrder[m]] != 0;
                        if (gtIgnore[m]) {
                            result = IGNORED;
                        } else if (matched) {
                            result = TP;
                        } else {
                            result = outsideRange(det[off + d], lo, hi) ? IGNORED : FP;
                        }
                    }
                    out[row + d] = result;
                }
            }
            return regular;
        }

        private boolean outsideRange(int di, double lo, double hi) {
            double area = p.dtW[di] * p.dtH[di]; // loadRes: area = w * h
            return area < lo || area > hi;
        }

        /** accumulate() for category k. */
        private void accumulate(int k, int total, int[] rank, double[] score, int[] npig, byte[][] outcome) {
            // one stable score order over the concatenation serves every (area, maxDets): the
            // first-maxDets subsets keep their relative order, and areas change only outcomes
            int[] order = new int[total];
            for (int j = 0; j < total; j++) {
                order[j] = j;
            }
            if (sortTmp.length < total) {
                sortTmp = new int[total];
            }
            StableOrder.byScoreDescending(order, 0, total, score, sortTmp);

            int[] selected = new int[total];
            double[] rc = new double[total];
            double[] pr = new double[total];
            double[] recThrs = params.recThrs;
            for (int m = 0; m < M; m++) {
                int maxDet = params.maxDets[m];
                int nd = 0;
                for (int j = 0; j < total; j++) {
                    if (rank[order[j]] < maxDet) {
                        selected[nd++] = order[j];
                    }
                }
                for (int a = 0; a < A; a++) {
                    if (npig[a] == 0) {
                        continue; // no non-ignored gt: stays -1
                    }
                    double npigD = npig[a];
                    for (int t = 0; t < T; t++) {
                        byte[] out = outcome[a];
                        int row = t * total;
                        double tp = 0;
                        double fp = 0;
                        for (int j = 0; j < nd; j++) {
                            byte o = out[row + selected[j]];
                            if (o == TP) {
                                tp++;
                            } else if (o == FP) {
                                fp++;
                            }
                            rc[j] = tp / npigD;
                            pr[j] = tp / (fp + tp + Math.ulp(1.0));
                        }
                        recall[((t * K + k) * A + a) * M + m] = nd > 0 ? rc[nd - 1] : 0;
                        for (int j = nd - 1; j > 0; j--) {
                            if (pr[j] > pr[j - 1]) {
                                pr[j - 1] = pr[j];
                            }
                        }
                        // searchsorted(rc, recThrs, side='left'); thresholds past the last recall keep 0
                        int j = 0;
                        for (int r = 0; r < R; r++) {
                            while (j < nd && rc[j] < recThrs[r]) {
                                j++;
                            }
                            precision[(((t * R + r) * K + k) * A + a) * M + m] = j < nd ? pr[j] : 0;
                        }
                    }
                }
            }
        }
    }
}
