package org.retinanet.datasets.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.retinanet.api.data.DetectionDataset;
import org.retinanet.api.data.ImageInfo;
import org.retinanet.datasets.Seeds;

/**
 * Which images form which batch in one epoch.
 *
 * <p>Testing: dataset order, the last partial batch kept. Training: a permutation drawn from
 * (seed, epoch), then mmdetection's AspectRatioBatchSampler: walking the permutation, each image
 * goes to the "tall" (w &lt; h) or "wide" (w &gt;= h) bucket, and a bucket that reaches the batch
 * size becomes a batch. mmdetection then yields the leftovers of both buckets together (one mixed
 * batch); here each bucket's leftover is its own, smaller batch, so that no batch ever mixes
 * wide and tall images (one extra batch at most). Nothing is dropped.
 */
public final class EpochPlan {

    private EpochPlan() {}

    public static List<int[]> batches(DetectionDataset dataset, boolean training, int batchSize, long seed, int epoch) {
        return batches(dataset.size(), training ? tallFlags(dataset) : null, batchSize, seed, epoch);
    }

    /** Which images are tall (w &lt; h), from the annotations' image sizes. */
    public static boolean[] tallFlags(DetectionDataset dataset) {
        boolean[] tall = new boolean[dataset.size()];
        for (int i = 0; i < tall.length; i++) {
            ImageInfo info = dataset.annotations(i).image();
            tall[i] = info.width() < info.height();
        }
        return tall;
    }

    /** The plan for {@code n} images; {@code tall} is null for testing. */
    public static List<int[]> batches(int n, boolean[] tall, int batchSize, long seed, int epoch) {
        boolean training = tall != null;
        List<int[]> batches = new ArrayList<>();
        if (!training) {
            for (int start = 0; start < n; start += batchSize) {
                int[] b = new int[Math.min(batchSize, n - start)];
                for (int j = 0; j < b.length; j++) {
                    b[j] = start + j;
                }
                batches.add(b);
            }
            return batches;
        }
        int[] order = permutation(n, new SplittableRandom(Seeds.mix(seed, epoch)));
        int[][] buckets = new int[2][batchSize];
        int[] fill = new int[2];
        for (int index : order) {
            int bucket = tall[index] ? 0 : 1;
            buckets[bucket][fill[bucket]++] = index;
            if (fill[bucket] == batchSize) {
                batches.add(buckets[bucket].clone());
                fill[bucket] = 0;
            }
        }
        for (int bucket = 0; bucket < 2; bucket++) {
            if (fill[bucket] > 0) {
                batches.add(java.util.Arrays.copyOf(buckets[bucket], fill[bucket]));
            }
        }
        return batches;
    }

    /** The number of batches {@link #batches} gives, without drawing the permutation. */
    public static int count(int n, boolean[] tallFlags, int batchSize) {
        if (tallFlags == null) {
            return (n + batchSize - 1) / batchSize;
        }
        int tall = 0;
        for (boolean t : tallFlags) {
            tall += t ? 1 : 0;
        }
        int wide = n - tall;
        return (tall + batchSize - 1) / batchSize + (wide + batchSize - 1) / batchSize;
    }

    /** Fisher-Yates shuffle of 0..n-1. */
    static int[] permutation(int n, SplittableRandom random) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
