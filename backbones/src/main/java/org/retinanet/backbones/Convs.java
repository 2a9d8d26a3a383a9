package org.retinanet.backbones;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.XavierInitializer;

/** Conv layers as torchvision's ResNet builds them, and small helpers for running child blocks. */
final class Convs {

    private Convs() {}

    /**
     * A bias-free conv, weights drawn like torchvision/mmdetection ResNets draw them:
     * kaiming normal, fan_out, ReLU gain (std = sqrt(2 / (out_channels * kh * kw))).
     */
    static Conv2d conv(int outChannels, int kernel, int stride, int padding, int groups) {
        Conv2d conv = Conv2d.builder()
                .setFilters(outChannels)
                .setKernelShape(new Shape(kernel, kernel))
                .optStride(new Shape(stride, stride))
                .optPadding(new Shape(padding, padding))
                .optGroups(groups)
                .optBias(false)
                .build();
        conv.setInitializer(
                new XavierInitializer(XavierInitializer.RandomType.GAUSSIAN, XavierInitializer.FactorType.OUT, 2),
                Parameter.Type.WEIGHT);
        return conv;
    }

    static Conv2d conv3x3(int outChannels, int stride, int groups) {
        return conv(outChannels, 3, stride, 1, groups);
    }

    static Conv2d conv1x1(int outChannels, int stride) {
        return conv(outChannels, 1, stride, 0, 1);
    }

    static NDArray run(Block block, ParameterStore store, NDArray x, boolean training) {
        return block.forward(store, new NDList(x), training).singletonOrThrow();
    }

    /** Initialises {@code block} for {@code input} and returns its output shape. */
    static Shape init(Block block, NDManager manager, DataType dataType, Shape input) {
        block.initialize(manager, dataType, input);
        return block.getOutputShapes(new Shape[] {input})[0];
    }

    static Shape outputShape(Block block, Shape input) {
        return block.getOutputShapes(new Shape[] {input})[0];
    }
}
