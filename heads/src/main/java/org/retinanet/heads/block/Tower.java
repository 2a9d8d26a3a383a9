package org.retinanet.heads.block;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import org.retinanet.api.nn.ConvModule;

/**
 * A stack of 3x3 {@link ConvModule}s (optional GroupNorm, then ReLU) named {@code 0}, {@code 1},
 * ... (torch's ModuleList names), run in order. SequentialBlock would name them by class.
 */
public final class Tower extends AbstractBlock {

    private static final byte VERSION = 1;

    private final List<Block> layers = new ArrayList<>();

    public Tower(int depth, int channels, int groups) {
        super(VERSION);
        for (int i = 0; i < depth; i++) {
            layers.add(addChildBlock(
                    Integer.toString(i),
                    ConvModule.builder()
                            .setFilters(channels)
                            .setKernel(3)
                            .optPadding(1)
                            .optGroupNorm(groups)
                            .optActivation(Activation::relu)
                            .build()));
        }
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList x = inputs;
        for (Block layer : layers) {
            x = layer.forward(store, x, training, params);
        }
        return x;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape[] shapes = inputShapes;
        for (Block layer : layers) {
            layer.initialize(manager, dataType, shapes);
            shapes = layer.getOutputShapes(shapes);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] shapes = inputShapes;
        for (Block layer : layers) {
            shapes = layer.getOutputShapes(shapes);
        }
        return shapes;
    }
}
