package org.retinanet.experiments.bench.jmh;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.retinanet.api.box.Nms;

/**
 * The heads module's class-wise NMS on one image's candidates, as post-processing calls it: n
 * boxes in clusters (so that most are suppressed, as with a real detector's candidates), 80
 * classes, IoU 0.5, at most {@code maxKeep} kept.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class NmsBenchmark {

    @Param({"1000", "5000"})
    int candidates;

    @Param({"100", "300"})
    int maxKeep;

    private NDManager manager;
    private NDArray boxes;
    private NDArray scores;
    private NDArray labels;

    @Setup
    public void setUp() {
        manager = NDManager.newBaseManager();
        Random r = new Random(0);
        float[] b = new float[candidates * 4];
        float[] s = new float[candidates];
        long[] l = new long[candidates];
        int clusters = Math.max(1, candidates / 20);
        float[][] centres = new float[clusters][];
        for (int c = 0; c < clusters; c++) {
            centres[c] = new float[] {
                r.nextFloat() * 1333, r.nextFloat() * 800, 20 + r.nextFloat() * 200, 20 + r.nextFloat() * 200
            };
        }
        for (int i = 0; i < candidates; i++) {
            float[] c = centres[r.nextInt(clusters)];
            float cx = c[0] + (float) r.nextGaussian() * 0.1f * c[2];
            float cy = c[1] + (float) r.nextGaussian() * 0.1f * c[3];
            float w = c[2] * (1 + 0.2f * (float) r.nextGaussian());
            float h = c[3] * (1 + 0.2f * (float) r.nextGaussian());
            b[4 * i] = cx - w / 2;
            b[4 * i + 1] = cy - h / 2;
            b[4 * i + 2] = cx + w / 2;
            b[4 * i + 3] = cy + h / 2;
            s[i] = 0.05f + 0.95f * r.nextFloat();
            l[i] = r.nextInt(80);
        }
        boxes = manager.create(b, new Shape(candidates, 4));
        scores = manager.create(s);
        labels = manager.create(l);
    }

    @Benchmark
    public int[] batchedNms() {
        return Nms.batched(boxes, scores, labels, 0.5, maxKeep);
    }

    @TearDown
    public void tearDown() {
        manager.close();
    }
}
