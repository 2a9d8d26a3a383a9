package org.retinanet.losses.cls;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.retinanet.api.box.Nms;

/** OHEM's minibatch on hand-made images (K = 2, so label 2 is background, -1 ignored). */
class OhemSelectorTest {

    private static final int K = 2;

    private static int[] select(
            int batch, double nms, Double fraction, Double negCap, float[] scores, int[] labels, float[] boxes) {
        return new OhemSelector(batch, nms, fraction, negCap).select(scores, labels, K, boxes, 0, labels.length);
    }

    @Test
    void keepsTheHighestLossesWithTiesToTheLowerIndexAndNeverIgnoredAnchors() {
        float[] scores = {1, 3, 3, 2, 5, 9, 3};
        int[] labels = {2, 0, 2, 2, 1, -1, 2};
        assertThat(select(2, 0, null, null, scores, labels, null)).containsExactly(4, 1);
        assertThat(select(4, 0, null, null, scores, labels, null)).containsExactly(4, 1, 2, 6);
        assertThat(select(100, 0, null, null, scores, labels, null)).containsExactly(4, 1, 2, 6, 3, 0);
    }

    @Test
    void ratioTakesTheHardestPositivesUpToTheQuotaAndFillsWithNegatives() {
        // 3 positives (anchors 0, 1, 2), 10 negatives with losses 10..19 (anchors 3..12)
        float[] scores = new float[13];
        int[] labels = new int[13];
        scores[0] = 0.5f;
        scores[1] = 7;
        scores[2] = 2;
        for (int i = 3; i < 13; i++) {
            scores[i] = 7 + i; // 10..19
            labels[i] = K;
        }
        // B 8, fraction 0.25: 2 positives (the hardest: 1, 2), then the 6 hardest negatives
        assertThat(select(8, 0, 0.25, null, scores, labels, null)).containsExactly(1, 2, 12, 11, 10, 9, 8, 7);
        // without the ratio the positives lose against the negatives
        assertThat(select(8, 0, null, null, scores, labels, null)).containsExactly(12, 11, 10, 9, 8, 7, 6, 5);
    }

    @Test
    void fewerPositivesThanTheQuotaAreMadeUpWithNegativesUnlessCapped() {
        float[] scores = {1, 9, 8, 7, 6, 5, 4, 3, 2};
        int[] labels = {0, 2, 2, 2, 2, 2, 2, 2, 2};
        // quota 2 positives, only 1: B - 1 = 7 negatives
        assertThat(select(8, 0, 0.25, null, scores, labels, null)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        // strict 1:3 (SSD): at most 3 negatives per positive
        assertThat(select(8, 0, 0.25, 3.0, scores, labels, null)).containsExactly(0, 1, 2, 3);
        // no positives: cap 3 * max(1, 0)
        int[] noPositives = {2, 2, 2, 2, 2, 2, 2, 2, 2};
        assertThat(select(8, 0, 0.25, 3.0, scores, noPositives, null)).containsExactly(1, 2, 3);
        assertThat(select(8, 0, 0.25, null, scores, noPositives, null)).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
    }

    @Test
    void fewerNegativesThanTheRatioAsksForKeepsWhatThereIs() {
        float[] scores = {4, 3, 2, 1, 0.5f};
        int[] labels = {0, 1, 0, 2, 2};
        // B 16, fraction 0.25: quota 4 positives (3 exist), 13 negatives wanted, 2 exist
        assertThat(select(16, 0, 0.25, null, scores, labels, null)).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void nmsKeepsTheHighestLossAnchorOfEachClusterAndSuppressedBoxesSuppressNothing() {
        float[] boxes = {
            0, 0, 10, 10, // 0: loss 5
            3, 0, 13, 10, // 1: loss 4, IoU 70/130 = 0.54 with 0: suppressed at 0.5
            6, 0, 16, 10, // 2: loss 3, IoU 0.25 with 0, 0.54 with the suppressed 1: kept
            20, 20, 30, 30, // 3: loss 1, alone
            1, 0, 11, 10, // 4: loss 6, IoU 0.82 with 0: suppresses 0
        };
        float[] scores = {5, 4, 3, 1, 6};
        int[] labels = {2, 2, 2, 2, 2};
        assertThat(select(3, 0.5, null, null, scores, labels, boxes)).containsExactly(4, 2, 3);
        // at 0.6 anchor 1 (IoU 0.54 with 0, 0.67 with 4) is still suppressed by 4, 0 is suppressed (0.82)
        assertThat(select(10, 0.6, null, null, scores, labels, boxes)).containsExactly(4, 2, 3);
        // at 0.9 nothing overlaps enough
        assertThat(select(10, 0.9, null, null, scores, labels, boxes)).containsExactly(4, 0, 1, 2, 3);
        // without NMS
        assertThat(select(3, 0, null, null, scores, labels, boxes)).containsExactly(4, 0, 1);
    }

    @Test
    void nmsRunsBeforeTheRatioSoAHardNegativeCanSuppressAPositive() {
        float[] boxes = {
            0, 0, 10, 10, // 0: negative, loss 9
            0, 0, 10, 9, // 1: positive, loss 8, IoU 0.9 with 0
            50, 50, 60, 60, // 2: positive, loss 1
            20, 20, 30, 30, // 3: negative, loss 2
        };
        float[] scores = {9, 8, 1, 2};
        int[] labels = {2, 0, 1, 2};
        assertThat(select(4, 0.5, 0.5, null, scores, labels, boxes)).containsExactly(2, 0, 3);
        assertThat(select(4, 0, 0.5, null, scores, labels, boxes)).containsExactly(1, 2, 0, 3);
    }

    @Test
    void gridNmsEqualsBruteForceGreedyNms() {
        Random random = new Random(7);
        int n = 3000;
        float[] boxes = new float[4 * n];
        for (int i = 0; i < n; i++) {
            float x = random.nextFloat() * 600;
            float y = random.nextFloat() * 400;
            double kind = random.nextDouble();
            float w = kind < 0.05 ? 0 : kind < 0.1 ? 300 + random.nextFloat() * 500 : 8 + random.nextFloat() * 60;
            float h = kind < 0.05 ? random.nextFloat() * 5 : w * (0.5f + random.nextFloat());
            boxes[4 * i] = x;
            boxes[4 * i + 1] = y;
            boxes[4 * i + 2] = x + w;
            boxes[4 * i + 3] = y + h;
        }
        for (double threshold : new double[] {0.3, 0.5, 0.7}) {
            Nms nms = new Nms(Nms.Arithmetic.FLOAT64, threshold, boxes, null, 0, n);
            List<Integer> fast = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (nms.tryKeep(i)) {
                    fast.add(i);
                }
            }
            assertThat(fast).as("threshold " + threshold).isEqualTo(bruteForce(boxes, n, threshold));
            assertThat(fast.size()).isBetween(10, n - 10);
        }
    }

    private static List<Integer> bruteForce(float[] b, int n, double threshold) {
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean suppressed = false;
            for (int j : kept) {
                double iw = Math.min(b[4 * i + 2], b[4 * j + 2]) - Math.max(b[4 * i], b[4 * j]);
                double ih = Math.min(b[4 * i + 3], b[4 * j + 3]) - Math.max(b[4 * i + 1], b[4 * j + 1]);
                if (iw > 0 && ih > 0) {
                    double ai = ((double) b[4 * i + 2] - b[4 * i]) * ((double) b[4 * i + 3] - b[4 * i + 1]);
                    double aj = ((double) b[4 * j + 2] - b[4 * j]) * ((double) b[4 * j + 3] - b[4 * j + 1]);
                    if (iw * ih / (ai + aj - iw * ih) > threshold) {
                        suppressed = true;
                        break;
                    }
                }
            }
            if (!suppressed) {
                kept.add(i);
            }
        }
        return kept;
    }
}
