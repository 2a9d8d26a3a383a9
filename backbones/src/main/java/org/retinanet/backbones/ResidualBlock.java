package org.retinanet.backbones;

import ai.djl.ndarray.NDArray;
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

/**
 * A residual block: a branch of conv/norm pairs (ReLU between them) added to the input, or to its
 * {@code downsample} projection, followed by ReLU. Children are named like torchvision's
 * ({@code conv1, bn1, conv2, bn2[, conv3, bn3][, downsample]}).
 */
abstract class ResidualBlock extends AbstractBlock {

    private final List<Block[]> branch = new ArrayList<>();
    private Downsample downsample;

    /** Adds the next conv/norm pair of the branch, named conv{i}/bn{i}. */
    protected final void addBranchLayer(Block conv, Block norm) {
        int i = branch.size() + 1;
        addChildBlock("conv" + i, conv);
        addChildBlock("bn" + i, norm);
        branch.add(new Block[] {conv, norm});
    }

    protected final void setDownsample(Downsample projection) {
        downsample = addChildBlock("downsample", projection);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray out = x;
        for (int i = 0; i < branch.size(); i++) {
            out = Convs.run(branch.get(i)[1], store, Convs.run(branch.get(i)[0], store, out, training), training);
            if (i < branch.size() - 1) {
                out = Activation.relu(out);
            }
        }
        NDArray identity = downsample == null ? x : Convs.run(downsample, store, x, training);
        return new NDList(Activation.relu(out.add(identity)));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape shape = inputShapes[0];
        for (Block[] layer : branch) {
            shape = Convs.init(layer[1], manager, dataType, Convs.init(layer[0], manager, dataType, shape));
        }
        if (downsample != null) {
            downsample.initialize(manager, dataType, inputShapes[0]);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        Shape shape = inputs[0];
        for (Block[] layer : branch) {
            shape = Convs.outputShape(layer[0], shape);
        }
        return new Shape[] {shape};
    }
}
