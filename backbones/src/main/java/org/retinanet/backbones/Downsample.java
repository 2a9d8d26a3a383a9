package org.retinanet.backbones;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** The shortcut projection of a residual block: children {@code 0} (1x1 conv, stride s) and {@code 1} (norm). */
final class Downsample extends AbstractBlock {

    private final Conv2d conv;
    private final Block norm;

    Downsample(int outChannels, int stride, NormOptions normOptions, boolean frozen) {
        conv = addChildBlock("0", Convs.conv1x1(outChannels, stride));
        norm = addChildBlock("1", normOptions.create(outChannels, frozen, false));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(
                Convs.run(norm, store, Convs.run(conv, store, inputs.singletonOrThrow(), training), training));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Convs.init(norm, manager, dataType, Convs.init(conv, manager, dataType, inputShapes[0]));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        return new Shape[] {Convs.outputShape(conv, inputs[0])};
    }
}
