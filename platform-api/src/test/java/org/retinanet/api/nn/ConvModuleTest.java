package org.retinanet.api.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.retinanet.api.model.TorchNames;

/** ConvModule: mmdetection's keys, conv then GroupNorm then activation, output shapes. */
class ConvModuleTest {

    NDManager manager;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    @Test
    void keysAreMmdetectionsAndTheConvHasABiasOnlyWithoutNorm() {
        Shape input = new Shape(1, 4, 8, 8);
        ConvModule plain = ConvModule.builder().setFilters(8).setKernel(1).build();
        plain.initialize(manager, DataType.FLOAT32, input);
        assertThat(TorchNames.parameters(plain).keySet()).containsExactly("conv.weight", "conv.bias");
        ConvModule normed = ConvModule.builder()
                .setFilters(8)
                .setKernel(3)
                .optPadding(1)
                .optGroupNorm(4)
                .build();
        normed.initialize(manager, DataType.FLOAT32, input);
        assertThat(TorchNames.parameters(normed).keySet()).containsExactly("conv.weight", "gn.weight", "gn.bias");
    }

    @Test
    void runsConvThenGroupNormThenActivation() {
        Shape input = new Shape(2, 4, 9, 9);
        ConvModule m = ConvModule.builder()
                .setFilters(8)
                .setKernel(3)
                .optStride(2)
                .optPadding(1)
                .optGroupNorm(2)
                .optActivation(Activation::relu)
                .build();
        m.initialize(manager, DataType.FLOAT32, input);
        assertThat(m.getOutputShapes(new Shape[] {input})[0]).isEqualTo(new Shape(2, 8, 5, 5));
        ParameterStore ps = new ParameterStore(manager, false);
        NDArray x = manager.randomNormal(input);
        NDArray out = m.forward(ps, new NDList(x), true).singletonOrThrow();

        Block conv = m.getChildren().valueAt(0);
        Block gn = m.getChildren().valueAt(1);
        NDArray expected = Activation.relu(
                gn.forward(ps, conv.forward(ps, new NDList(x), true), true).head());
        assertThat(out.getShape()).isEqualTo(new Shape(2, 8, 5, 5));
        assertThat(out.contentEquals(expected)).isTrue();
        assertThat(out.min().getFloat()).isZero(); // ReLU ran
    }

    @Test
    void weightInitializerIsTheConvs() {
        ConvModule m = ConvModule.builder()
                .setFilters(2)
                .setKernel(1)
                .optWeightInitializer(Initializer.ONES)
                .build();
        m.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 2, 2));
        assertThat(TorchNames.parameters(m).get("conv.weight").getArray().toFloatArray())
                .containsOnly(1f);
        assertThat(TorchNames.parameters(m).get("conv.bias").getArray().toFloatArray())
                .containsOnly(0f);
    }
}
