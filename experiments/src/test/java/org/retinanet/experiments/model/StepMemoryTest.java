package org.retinanet.experiments.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.retinanet.api.data.BatchIterator;
import org.retinanet.api.data.HostBatch;
import org.retinanet.api.data.PipelineContext;
import org.retinanet.api.registry.Registry;
import org.retinanet.experiments.config.Experiment;

/**
 * Training steps in their own child manager leave nothing behind in the model's manager: any
 * array a block creates there (a reshaped parameter, a cached constant) would grow memory every
 * step. GroupNorm in neck and head once did exactly that.
 */
class StepMemoryTest {

    @ParameterizedTest
    @ValueSource(strings = {"model.head.norm=gn", "model.head.norm=none"})
    void stepsDoNotGrowTheModelManager(String headNorm) {
        Registry registry = Registry.create(List.of());
        Experiment e = Experiment.load(
                "retinanet_r18_fpn_shapes",
                List.of(
                        headNorm,
                        "model.neck.outChannels=32",
                        "model.head.featChannels=32",
                        "data.train.dataset.numImages=8",
                        "data.train.batchSize=2"),
                registry);
        try (NDManager model = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(0);
            Detector detector = new DetectorBuilder(registry)
                    .buildAndInitialize(e.config().model(), 4, model)
                    .detector();
            var split = e.config().data().train();
            var pipeline = registry.pipeline(
                    split.pipeline(),
                    new PipelineContext(
                            true, split.batchSize(), 1, 0, detector.backbone().inputNormalization()));
            ParameterStore ps = new ParameterStore(model, false);
            int[] counts = new int[3];
            try (BatchIterator batches = pipeline.epoch(e.trainDataset(registry), 0, 0)) {
                for (int step = 0; step < 3; step++) {
                    HostBatch host = batches.next();
                    try (NDManager stepManager = model.newSubManager();
                            GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        gc.backward(detector.loss(ps, host.toDevice(stepManager, Device.cpu()), true)
                                .total());
                    }
                    counts[step] = model.getManagedArrays().size();
                }
            }
            assertThat(counts[2])
                    .as("arrays in the model's manager after steps 1..3: %s", java.util.Arrays.toString(counts))
                    .isEqualTo(counts[1]);
        }
    }
}
