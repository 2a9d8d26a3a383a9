package org.retinanet.backbones;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A forward (and backward) in a step's child manager leaves nothing behind in the model's manager. */
class NDArrayLifetimeTest {

    @ParameterizedTest
    @EnumSource(NormType.class)
    void stepsLeaveNoArraysInTheModelManager(NormType norm) {
        ResNet backbone = Backbones.build(Backbones.resnet(18, null, 1, false, norm, null));
        Shape input = new Shape(1, 3, 64, 64);
        try (NDManager model = NDManager.newBaseManager()) {
            backbone.initialize(model, DataType.FLOAT32, input);
            int before = model.getManagedArrays().size();
            for (boolean training : new boolean[] {false, true}) {
                try (NDManager step = model.newSubManager();
                        GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    NDArray x = step.randomNormal(input);
                    NDList out = Backbones.forward(backbone, step, x, training);
                    if (training) {
                        collector.backward(out.get(3).sum());
                    }
                }
                assertThat(model.getManagedArrays()).as("training " + training).hasSize(before);
            }
        }
    }
}
