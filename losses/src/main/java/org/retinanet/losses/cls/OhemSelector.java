package org.retinanet.losses.cls;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.retinanet.api.box.Nms;

/**
 * Picks one image's OHEM minibatch on the host (see {@link OhemLossConfig} for the definition).
 * Anchors are ranked by loss, highest first, ties broken by the lower anchor index; NaN losses rank
 * last. Ignored anchors (label -1) are never candidates.
 */
final class OhemSelector {

    private final int batchSize;
    private final double nmsIou;
    private final Double positiveFraction;
    private final Double maxNegativesPerPositive;

    OhemSelector(int batchSize, double nmsIou, Double positiveFraction, Double maxNegativesPerPositive) {
        this.batchSize = batchSize;
        this.nmsIou = nmsIou;
        this.positiveFraction = positiveFraction;
        this.maxNegativesPerPositive = maxNegativesPerPositive;
    }

    /**
     * @param scores per-anchor loss, {@code count} values from {@code offset}
     * @param labels per-anchor labels (-1 ignored, 0..K-1 positive, K background), same layout
     * @param numClasses K
     * @param boxes decoded predicted boxes, 4 floats per anchor, same layout; null without NMS
     * @return the kept anchors (indices within the image), hardest first
     */
    int[] select(float[] scores, int[] labels, int numClasses, float[] boxes, int offset, int count) {
        int[] order = rankByLoss(scores, labels, offset, count);
        Nms nms = nmsIou > 0 ? new Nms(Nms.Arithmetic.FLOAT64, nmsIou, boxes, null, offset, count) : null;
        if (positiveFraction == null) {
            List<Integer> kept = new ArrayList<>();
            for (int i = 0; i < order.length && kept.size() < batchSize; i++) {
                if (nms == null || nms.tryKeep(order[i])) {
                    kept.add(order[i]);
                }
            }
            return toArray(kept);
        }
        int positiveQuota = (int) Math.floor(batchSize * positiveFraction);
        int negativeQuota = batchSize - positiveQuota;
        List<Integer> positives = new ArrayList<>();
        List<Integer> negatives = new ArrayList<>();
        // NMS runs over positives and negatives together (NMS first, then the 1:3 minibatch); the scan
        // stops once both quotas are full, since survivors come out hardest first
        for (int i = 0;
                i < order.length && (positives.size() < positiveQuota || negatives.size() < negativeQuota);
                i++) {
            int anchor = order[i];
            if (nms != null && !nms.tryKeep(anchor)) {
                continue;
            }
            if (labels[offset + anchor] < numClasses) {
                positives.add(anchor);
            } else {
                negatives.add(anchor);
            }
        }
        int numPositives = Math.min(positiveQuota, positives.size());
        int numNegatives = batchSize - numPositives;
        if (maxNegativesPerPositive != null) {
            numNegatives = Math.min(numNegatives, (int) (maxNegativesPerPositive * Math.max(1, numPositives)));
        }
        numNegatives = Math.min(numNegatives, negatives.size());
        List<Integer> kept = new ArrayList<>(positives.subList(0, numPositives));
        kept.addAll(negatives.subList(0, numNegatives));
        return toArray(kept);
    }

    /** Valid anchors sorted by loss descending, then by index: one primitive sort of packed keys. */
    private static int[] rankByLoss(float[] scores, int[] labels, int offset, int count) {
        long[] keys = new long[count];
        int n = 0;
        for (int i = 0; i < count; i++) {
            if (labels[offset + i] < 0) {
                continue;
            }
            float s = scores[offset + i];
            if (Float.isNaN(s)) {
                s = Float.NEGATIVE_INFINITY;
            }
            int bits = Float.floatToIntBits(s + 0.0f); // + 0.0f folds -0 into +0
            int ascending = bits ^ ((bits >> 31) & 0x7fffffff); // orders like the float
            keys[n++] = ((long) ~ascending << 32) | i; // ~ reverses: highest loss first
        }
        Arrays.sort(keys, 0, n);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = (int) keys[i];
        }
        return order;
    }

    private static int[] toArray(List<Integer> list) {
        return list.stream().mapToInt(Integer::intValue).toArray();
    }
}
