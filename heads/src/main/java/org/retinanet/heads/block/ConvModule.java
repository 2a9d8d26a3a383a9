package org.retinanet.heads.block;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * mmcv's ConvModule as the RetinaNet head uses it: 3x3 conv (pad 1) named {@code conv}, optional
 * GroupNorm named {@code gn} (then the conv has no bias, as in mmcv and torchvision), then ReLU.
 */
public final class ConvModule extends AbstractBlock {

    private static final byte VERSION = 1;

    private final Conv2d conv;
    private final GroupNorm2d gn;

    /** @param groups GroupNorm groups, or 0 for no norm */
    public ConvModule(int outChannels, int groups) {
        super(VERSION);
        this.conv = addChildBlock("conv", Conv2d.builder().setKernelShape(new Shape(3, 3)).setFilters(outChannels)
                .optPadding(new Shape(1, 1)).optBias(groups == 0).build());
        this.gn = groups == 0 ? null : addChildBlock("gn", new GroupNorm2d(groups, outChannels));
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList x = conv.forward(store, inputs, training, params);
        if (gn != null) {
            x = gn.forward(store, x, training, params);
        }
        NDArray out = Activation.relu(x.singletonOrThrow());
        return new NDList(out);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        conv.initialize(manager, dataType, inputShapes);
        if (gn != null) {
            gn.initialize(manager, dataType, conv.getOutputShapes(inputShapes));
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return conv.getOutputShapes(inputShapes);
    }
}
