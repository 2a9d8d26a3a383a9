package org.retinanet.experiments.bench.jmh;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
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
import org.retinanet.api.data.Detection;
import org.retinanet.api.data.ImageMeta;
import org.retinanet.api.model.DenseHead;
import org.retinanet.api.model.FeatureSpec;
import org.retinanet.api.model.HeadOutput;
import org.retinanet.api.registry.Registry;
import org.retinanet.experiments.config.Experiment;
import org.retinanet.experiments.model.Detector;
import org.retinanet.experiments.model.DetectorBuilder;

/**
 * Whole post-processing through the public {@link DenseHead#detect} API (sigmoid, top-k per
 * level, decoding, class-wise NMS, detections to the host) of the torchvision preset's head on
 * one image. The head outputs come from its own forward on random pyramid features, with the
 * classification prior at {@code prior} so that every level has its full 1000 candidates above
 * the 0.05 score threshold, as a trained model on a busy image does.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class DetectBenchmark {

    @Param({"512x512", "800x1344"})
    String size;

    @Param({"0.1"})
    double prior;

    private NDManager manager;
    private DenseHead head;
    private HeadOutput outputs;
    private List<ImageMeta> metas;

    @Setup
    public void setUp() {
        Registry registry = Registry.create(List.of());
        Experiment e = Experiment.load(
                "torchvision_retinanet_resnet50_fpn", List.of("model.head.priorProb=" + prior), registry);
        Detector detector = new DetectorBuilder(registry).build(e.config().model(), 91);
        head = detector.head();
        String[] hw = size.split("x");
        int h = Integer.parseInt(hw[0]);
        int w = Integer.parseInt(hw[1]);
        manager = NDManager.newBaseManager();
        List<FeatureSpec> levels = detector.neck().outputFeatures();
        Shape[] shapes = new Shape[levels.size()];
        NDList features = new NDList();
        for (int l = 0; l < levels.size(); l++) {
            FeatureSpec f = levels.get(l);
            shapes[l] = new Shape(1, f.channels(), ceilDiv(h, f.stride()), ceilDiv(w, f.stride()));
            features.add(manager.randomNormal(0, 1, shapes[l], DataType.FLOAT32));
        }
        head.initialize(manager, DataType.FLOAT32, shapes);
        outputs = new HeadOutput(head.forward(new ParameterStore(manager, false), features, false));
        metas = new ArrayList<>(List.of(new ImageMeta(1, w, h, w, h, 1.0, 1.0, false)));
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    @Benchmark
    public int detect() {
        // detect works in its own child manager of the outputs' manager and returns host objects
        List<List<Detection>> d = head.detect(outputs, metas);
        return d.get(0).size();
    }

    @TearDown
    public void tearDown() {
        manager.close();
    }
}
