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
import org.retinanet.api.box.BoxIou;

/**
 * The IoU matrix of target assignment: G ground-truth boxes against every anchor of a 512x512
 * (49,104 anchors, P3-P7 with 9 per location) or 800x1344 (179,685 anchors) input, one image,
 * read back to the host so that the engine's work is counted.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class IouBenchmark {

    @Param({"49104", "179685"})
    int anchors;

    @Param({"5", "50"})
    int gt;

    private NDManager manager;
    private NDArray anchorBoxes;
    private NDArray gtBoxes;

    @Setup
    public void setUp() {
        manager = NDManager.newBaseManager();
        anchorBoxes = manager.create(boxes(new Random(1), anchors), new Shape(anchors, 4));
        gtBoxes = manager.create(boxes(new Random(2), gt), new Shape(gt, 4));
    }

    private static float[] boxes(Random r, int n) {
        float[] b = new float[4 * n];
        for (int i = 0; i < n; i++) {
            float x = r.nextFloat() * 1200;
            float y = r.nextFloat() * 700;
            b[4 * i] = x;
            b[4 * i + 1] = y;
            b[4 * i + 2] = x + 8 + r.nextFloat() * 300;
            b[4 * i + 3] = y + 8 + r.nextFloat() * 300;
        }
        return b;
    }

    @Benchmark
    public float iouMatrix() {
        try (NDManager m = manager.newSubManager()) {
            m.tempAttachAll(gtBoxes, anchorBoxes);
            // max over gts per anchor, as the assigner uses it; one number to the host forces the work
            return BoxIou.iou(gtBoxes, anchorBoxes).max().getFloat();
        }
    }

    @TearDown
    public void tearDown() {
        manager.close();
    }
}
