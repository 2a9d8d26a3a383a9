package org.retinanet.experiments.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.retinanet.api.data.BoxTargets;
import org.retinanet.api.data.HostBatch;
import org.retinanet.api.data.ImageMeta;

/**
 * Host batches as the pipeline would hand them to the trainer, without decoding anything:
 * normalised-looking pixels (standard normal) in the valid region, zero padding, and random
 * ground-truth boxes (sides between 8 px and half the image) with random labels. A few distinct
 * batches are made up front and reused in turn, so making them is never timed.
 */
public final class SyntheticBatches {

    private static final int DISTINCT = 3;

    private final List<HostBatch> batches = new ArrayList<>();
    private int next;

    public SyntheticBatches(BenchSettings s, int numClasses) {
        Random random = new Random(s.seed());
        for (int b = 0; b < DISTINCT; b++) {
            batches.add(batch(s, numClasses, random, b));
        }
    }

    public HostBatch next() {
        HostBatch b = batches.get(next);
        next = (next + 1) % batches.size();
        return b;
    }

    private static HostBatch batch(BenchSettings s, int numClasses, Random random, int index) {
        int ph = s.paddedHeight();
        int pw = s.paddedWidth();
        float[] pixels = new float[s.batch() * 3 * ph * pw];
        List<ImageMeta> metas = new ArrayList<>();
        List<BoxTargets> targets = new ArrayList<>();
        for (int n = 0; n < s.batch(); n++) {
            for (int c = 0; c < 3; c++) {
                int plane = (n * 3 + c) * ph * pw;
                for (int y = 0; y < s.height(); y++) {
                    for (int x = 0; x < s.width(); x++) {
                        pixels[plane + y * pw + x] = (float) random.nextGaussian();
                    }
                }
            }
            metas.add(new ImageMeta(
                    index * s.batch() + n, s.width(), s.height(), s.width(), s.height(), 1.0, 1.0, false));
            targets.add(boxes(s, numClasses, random));
        }
        return new HostBatch(pixels, ph, pw, metas, targets);
    }

    private static BoxTargets boxes(BenchSettings s, int numClasses, Random random) {
        int n = s.boxesPerImage();
        float[] boxes = new float[4 * n];
        int[] labels = new int[n];
        double maxSide = Math.max(9, Math.min(s.height(), s.width()) / 2.0);
        for (int i = 0; i < n; i++) {
            double w = 8 + random.nextDouble() * (maxSide - 8);
            double h = 8 + random.nextDouble() * (maxSide - 8);
            double x = random.nextDouble() * (s.width() - w);
            double y = random.nextDouble() * (s.height() - h);
            boxes[4 * i] = (float) x;
            boxes[4 * i + 1] = (float) y;
            boxes[4 * i + 2] = (float) (x + w);
            boxes[4 * i + 3] = (float) (y + h);
            labels[i] = random.nextInt(numClasses);
        }
        return new BoxTargets(boxes, labels, new boolean[n]);
    }
}
