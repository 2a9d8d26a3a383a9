package org.retinanet.backbones;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/** One stage ({@code layer1..layer4}): residual blocks named {@code 0, 1, ...}, the first one strided. */
final class ResLayer extends AbstractBlock {

    private final List<ResidualBlock> blocks = new ArrayList<>();

    void add(ResidualBlock block) {
        blocks.add(addChildBlock(String.valueOf(blocks.size()), block));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        for (ResidualBlock block : blocks) {
            x = Convs.run(block, store, x, training);
        }
        return new NDList(x);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape shape = inputShapes[0];
        for (ResidualBlock block : blocks) {
            shape = Convs.init(block, manager, dataType, shape);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        Shape shape = inputs[0];
        for (ResidualBlock block : blocks) {
            shape = Convs.outputShape(block, shape);
        }
        return new Shape[] {shape};
    }
}
