package org.retinanet.api.box;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NmsTest {

    @Test
    void handExample() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray boxes = m.create(
                    new float[] {
                        0, 0, 10, 10, // 0: score .9, class 0
                        1, 0, 11, 10, // 1: IoU 9/11 with 0, class 0 -> suppressed
                        1, 0, 11, 10, // 2: same box, class 1 -> kept (other class)
                        0, 0, 10, 5, // 3: IoU exactly 0.5 with 0 -> kept (suppression needs > thr)
                        20, 20, 30, 30, // 4: far away
                        0, 0, 10, 10
                    },
                    new Shape(6, 4));
            NDArray scores = m.create(new float[] {0.9f, 0.8f, 0.7f, 0.6f, 0.95f, 0.9f});
            NDArray labels = m.create(new long[] {0, 0, 1, 0, 0, 0});
            // 5 ties with 0 in score and is identical: the lower index wins
            assertThat(Nms.batched(boxes, scores, labels, 0.5, 100)).containsExactly(4, 0, 2, 3);
            assertThat(Nms.batched(boxes, scores, labels, 0.5, 2)).containsExactly(4, 0);
            assertThat(Nms.batched(boxes, scores, labels, 0.95, 100)).containsExactly(4, 0, 1, 2, 3);
        }
    }

    @Test
    void chainsAreResolvedGreedily() {
        try (NDManager m = NDManager.newBaseManager()) {
            // a suppresses b, b would suppress c, but b is gone so c stays
            NDArray boxes = m.create(new float[] {0, 0, 10, 10, 3, 0, 13, 10, 6, 0, 16, 10}, new Shape(3, 4));
            NDArray scores = m.create(new float[] {0.9f, 0.8f, 0.7f});
            NDArray labels = m.create(new long[] {0, 0, 0});
            assertThat(Nms.batched(boxes, scores, labels, 0.5, 10)).containsExactly(0, 2);
        }
    }

    @Test
    void agreesWithAPlainGreedyLoop() {
        Random r = new Random(3);
        int n = 1300;
        float[] b = new float[n * 4];
        float[] s = new float[n];
        long[] c = new long[n];
        for (int i = 0; i < n; i++) {
            float x = r.nextFloat() * 200;
            float y = r.nextFloat() * 200;
            b[4 * i] = x;
            b[4 * i + 1] = y;
            b[4 * i + 2] = x + 5 + r.nextFloat() * 40;
            b[4 * i + 3] = y + 5 + r.nextFloat() * 40;
            s[i] = r.nextFloat();
            c[i] = r.nextInt(3);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            int[] got = Nms.batched(m.create(b, new Shape(n, 4)), m.create(s), m.create(c), 0.5, n);
            assertThat(got).containsExactly(reference(b, s, c, 0.5f));
        }
    }

    @Test
    void ordersByDescendingScoreThenIndexAcrossSigns() {
        float[] s = {0.5f, -1f, 0.5f, 2f, -0f, 0f, -3.5f, Float.MIN_VALUE};
        assertThat(Nms.byDescendingScore(s)).containsExactly(3, 0, 2, 7, 4, 5, 1, 6);
    }

    @Test
    void degenerateBoxesAreNeverSuppressedAndSuppressNothing() {
        float[] boxes = {
            0, 0, 10, 10, // 0
            0, 0, 0, 10, // 1: zero width
            5, 5, 5, 5, // 2: a point
            0, 0, Float.NaN, 10, // 3: not finite
            10, 10, 0, 0, // 4: inverted
            0, 0, 10, 10 // 5: duplicate of 0 -> suppressed
        };
        float[] scores = {0.1f, 0.9f, 0.8f, 0.7f, 0.6f, 0.05f};
        long[] labels = new long[6];
        assertThat(Nms.batched(boxes, scores, labels, 0.5, 10)).containsExactly(1, 2, 3, 4, 0);
    }

    @Test
    void incrementalRunsInDoubleFromAnOffsetWithoutLabels() {
        // image 2 starts at box 2: its boxes 0 and 1 overlap with IoU 0.9, its box 2 is elsewhere
        float[] boxes = {0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 10, 10, 0, 0, 10, 9, 50, 50, 60, 60};
        Nms nms = new Nms(Nms.Arithmetic.FLOAT64, 0.85, boxes, null, 2, 3);
        assertThat(nms.tryKeep(0)).isTrue();
        assertThat(nms.tryKeep(1)).isFalse();
        assertThat(nms.tryKeep(2)).isTrue();
        Nms looser = new Nms(Nms.Arithmetic.FLOAT64, 0.9, boxes, null, 2, 3);
        assertThat(looser.tryKeep(0)).isTrue();
        assertThat(looser.tryKeep(1)).as("IoU 0.9 is not above 0.9").isTrue();
    }

    @Test
    void largeBoxesAreCheckedLinearlyAndStillClassAware() {
        Random r = new Random(11);
        int n = 800;
        float[] b = new float[n * 4];
        float[] s = new float[n];
        long[] c = new long[n];
        for (int i = 0; i < n; i++) {
            float x = r.nextFloat() * 300;
            float y = r.nextFloat() * 300;
            float side = i % 10 == 0 ? 200 + r.nextFloat() * 400 : 3 + r.nextFloat() * 10;
            b[4 * i] = x;
            b[4 * i + 1] = y;
            b[4 * i + 2] = x + side;
            b[4 * i + 3] = y + side * (0.7f + 0.6f * r.nextFloat());
            s[i] = r.nextFloat();
            c[i] = r.nextInt(2);
        }
        for (double thr : new double[] {0.3, 0.6}) {
            assertThat(Nms.batched(b, s, c, thr, n)).containsExactly(reference(b, s, c, (float) thr));
        }
    }

    /** The textbook O(n^2) greedy NMS on the host. */
    private static int[] reference(float[] b, float[] s, long[] c, float thr) {
        int n = s.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (x, y) -> Float.compare(s[y], s[x]));
        boolean[] dead = new boolean[n];
        java.util.List<Integer> keep = new java.util.ArrayList<>();
        for (int oi = 0; oi < n; oi++) {
            int i = order[oi];
            if (dead[i]) {
                continue;
            }
            keep.add(i);
            for (int oj = oi + 1; oj < n; oj++) {
                int j = order[oj];
                if (c[i] == c[j] && iou(b, i, j) > thr) {
                    dead[j] = true;
                }
            }
        }
        return keep.stream().mapToInt(Integer::intValue).toArray();
    }

    private static float iou(float[] b, int i, int j) {
        float w = Math.max(0, Math.min(b[4 * i + 2], b[4 * j + 2]) - Math.max(b[4 * i], b[4 * j]));
        float h = Math.max(0, Math.min(b[4 * i + 3], b[4 * j + 3]) - Math.max(b[4 * i + 1], b[4 * j + 1]));
        float inter = w * h;
        float a = (b[4 * i + 2] - b[4 * i]) * (b[4 * i + 3] - b[4 * i + 1]);
        float bb = (b[4 * j + 2] - b[4 * j]) * (b[4 * j + 3] - b[4 * j + 1]);
        return inter / (a + bb - inter);
    }
}
