package org.retinanet.experiments.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.retinanet.api.data.BatchIterator;
import org.retinanet.api.data.HostBatch;
import org.retinanet.api.data.PipelineContext;
import org.retinanet.api.model.LossOutput;
import org.retinanet.api.model.TorchNames;
import org.retinanet.api.registry.Registry;
import org.retinanet.experiments.config.Experiment;
import org.retinanet.experiments.model.Detector;
import org.retinanet.experiments.model.DetectorBuilder;

/**
 * The shapes preset's detector at test size (32-channel neck and head, seed 0), its first
 * training batch of two 64 px images, and its trainable parameters: what the step tests compute on.
 */
record TinyDetector(Detector detector, HostBatch batch, Map<String, Parameter> trainable) {

    /** A step's loss components on the host. */
    static Map<String, Double> hostValues(LossOutput out) {
        Map<String, Double> values = new LinkedHashMap<>();
        out.components()
                .forEach((k, v) ->
                        values.put(k, v.toType(DataType.FLOAT64, false).getDouble()));
        return values;
    }

    /** Built in {@code model}, with {@code extra} settings after the test-size ones. */
    static TinyDetector build(NDManager model, String... extra) {
        Registry registry = Registry.create(List.of());
        List<String> settings = new ArrayList<>(List.of(
                "model.neck.outChannels=32",
                "model.head.featChannels=32",
                "data.train.dataset.numImages=4",
                "data.train.dataset.imageSize=64",
                "data.train.pipeline.scale=[64, 64]",
                "model.inputSize=64",
                "data.train.batchSize=2"));
        settings.addAll(List.of(extra));
        Experiment e = Experiment.load("retinanet_r18_fpn_shapes", settings, registry);
        Engine.getInstance().setRandomSeed(0);
        Detector detector = new DetectorBuilder(registry)
                .buildAndInitialize(e.config().model(), 4, model)
                .detector();
        var split = e.config().data().train();
        var pipeline = registry.pipeline(
                split.pipeline(),
                new PipelineContext(true, 2, 1, 0, detector.backbone().inputNormalization()));
        HostBatch batch;
        try (BatchIterator batches = pipeline.epoch(e.trainDataset(registry), 0, 0)) {
            batch = batches.next();
        }
        Map<String, Parameter> trainable = new LinkedHashMap<>();
        TorchNames.parameters(detector).forEach((k, p) -> {
            if (p.requiresGradient()) {
                trainable.put(k, p);
            }
        });
        return new TinyDetector(detector, batch, trainable);
    }
}
