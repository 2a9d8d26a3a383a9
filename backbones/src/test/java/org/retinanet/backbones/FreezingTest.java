package org.retinanet.backbones;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.retinanet.api.model.TorchNames;

/**
 * frozenStages, normEval and BN affine freezing, checked through DJL autograd and the running
 * statistics after a training forward (R-18 and a small input keep it quick).
 */
class FreezingTest {

    private static final Shape INPUT = new Shape(1, 3, 64, 64);

    /** Runs a training forward + backward and returns each parameter's gradient (null: none attached). */
    private static Map<String, NDArray> trainStep(ResNet backbone, NDManager manager) {
        backbone.initialize(manager, DataType.FLOAT32, INPUT);
        NDArray x = manager.randomNormal(INPUT);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDList out = Backbones.forward(backbone, manager, x, true);
            NDArray loss = out.get(0).sum();
            for (int i = 1; i < out.size(); i++) {
                loss = loss.add(out.get(i).sum());
            }
            collector.backward(loss);
        }
        Map<String, NDArray> grads = new HashMap<>();
        for (Map.Entry<String, Parameter> e : TorchNames.parameters(backbone).entrySet()) {
            NDArray array = e.getValue().getArray();
            grads.put(e.getKey(), array.hasGradient() ? array.getGradient() : null);
        }
        return grads;
    }

    private static Map<String, NDArray> runningStats(ResNet backbone) {
        Map<String, NDArray> stats = new HashMap<>();
        for (Map.Entry<String, Parameter> e : TorchNames.parameters(backbone).entrySet()) {
            if (e.getKey().contains("running_")) {
                stats.put(e.getKey(), e.getValue().getArray().duplicate());
            }
        }
        return stats;
    }

    private static boolean nonZero(NDArray grad) {
        return grad != null && grad.abs().sum().getFloat() > 0;
    }

    @Test
    void frozenStagesGetNoGradientAndKeepTheirStatistics() {
        // normEval off, so only the frozen stages keep their running statistics
        ResNet backbone = Backbones.build(Backbones.resnet(18, null, 1, false, null, null));
        try (NDManager manager = NDManager.newBaseManager()) {
            backbone.initialize(manager, DataType.FLOAT32, INPUT);
            Map<String, NDArray> before = runningStats(backbone);
            Map<String, NDArray> grads = trainStep(backbone, manager);
            Map<String, NDArray> after = runningStats(backbone);
            for (String key : grads.keySet()) {
                boolean frozen = key.startsWith("conv1.") || key.startsWith("bn1.") || key.startsWith("layer1.");
                if (key.contains("running_")) {
                    assertThat(after.get(key).contentEquals(before.get(key)))
                            .as(key + " unchanged")
                            .isEqualTo(frozen);
                    assertThat(grads.get(key)).as(key).isNull();
                } else if (frozen) {
                    assertThat(nonZero(grads.get(key)))
                            .as(key + " has no gradient")
                            .isFalse();
                    assertThat(TorchNames.parameters(backbone).get(key).requiresGradient())
                            .isFalse();
                } else {
                    assertThat(nonZero(grads.get(key)))
                            .as(key + " has a gradient")
                            .isTrue();
                }
            }
        }
    }

    @Test
    void normEvalKeepsEveryRunningStatisticButTrainsTheAffineTerms() {
        ResNet backbone = Backbones.build(Backbones.resnet(18, null, -1, true, null, null));
        try (NDManager manager = NDManager.newBaseManager()) {
            backbone.initialize(manager, DataType.FLOAT32, INPUT);
            Map<String, NDArray> before = runningStats(backbone);
            Map<String, NDArray> grads = trainStep(backbone, manager);
            Map<String, NDArray> after = runningStats(backbone);
            before.forEach((key, value) ->
                    assertThat(after.get(key).contentEquals(value)).as(key).isTrue());
            assertThat(nonZero(grads.get("conv1.weight"))).isTrue();
            assertThat(nonZero(grads.get("layer2.0.bn1.weight"))).isTrue();
            assertThat(nonZero(grads.get("layer2.0.bn1.bias"))).isTrue();
        }
    }

    @Test
    void withoutNormEvalTrainingUpdatesRunningStatistics() {
        ResNet backbone = Backbones.build(Backbones.resnet(18, null, -1, false, null, null));
        try (NDManager manager = NDManager.newBaseManager()) {
            backbone.initialize(manager, DataType.FLOAT32, INPUT);
            Map<String, NDArray> before = runningStats(backbone);
            trainStep(backbone, manager);
            Map<String, NDArray> after = runningStats(backbone);
            before.forEach((key, value) ->
                    assertThat(after.get(key).contentEquals(value)).as(key).isFalse());
        }
    }

    @Test
    void caffeStyleFreezesEveryNormAffineByDefault() {
        ResNet backbone = Backbones.build(Backbones.resnet(18, Style.CAFFE, 0, null, null, null));
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> grads = trainStep(backbone, manager);
            grads.forEach((key, grad) -> {
                boolean norm = key.matches(".*(bn\\d|downsample\\.1)\\..*");
                boolean stem = key.startsWith("conv1.");
                assertThat(nonZero(grad)).as(key).isEqualTo(!norm && !stem);
            });
        }
    }

    @Test
    void frozenBatchNormNeverTrainsNorUpdates() {
        ResNet backbone = Backbones.build(Backbones.resnet(18, null, -1, false, NormType.FROZEN_BN, null));
        try (NDManager manager = NDManager.newBaseManager()) {
            backbone.initialize(manager, DataType.FLOAT32, INPUT);
            Map<String, NDArray> before = runningStats(backbone);
            Map<String, NDArray> grads = trainStep(backbone, manager);
            Map<String, NDArray> after = runningStats(backbone);
            before.forEach((key, value) ->
                    assertThat(after.get(key).contentEquals(value)).as(key).isTrue());
            grads.forEach((key, grad) -> assertThat(nonZero(grad))
                    .as(key)
                    .isEqualTo(key.endsWith("conv1.weight")
                            || key.endsWith("conv2.weight")
                            || key.endsWith("downsample.0.weight")));
        }
    }

    @Test
    void unfreezingAllRestoresTheConfiguredTrainability() {
        ResNet backbone = Backbones.build(Backbones.resnet(18, null, 1, null, null, null));
        backbone.freezeParameters(true);
        assertThat(backbone.getParameters().values()).noneMatch(Parameter::requiresGradient);
        backbone.freezeParameters(false);
        Map<String, Parameter> params = TorchNames.parameters(backbone);
        assertThat(params.get("layer1.0.conv1.weight").requiresGradient()).isFalse();
        assertThat(params.get("layer2.0.bn1.running_mean").requiresGradient()).isFalse();
        assertThat(params.get("layer2.0.conv1.weight").requiresGradient()).isTrue();
        assertThat(params.get("layer2.0.bn1.weight").requiresGradient()).isTrue();
    }
}
