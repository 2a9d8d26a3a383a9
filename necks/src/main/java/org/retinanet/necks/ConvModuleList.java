package org.retinanet.necks;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.retinanet.api.nn.ConvModule;

/**
 * A named container like torch's ModuleList: children are called "0", "1", ... so that keys read
 * {@code lateral_convs.0.conv.weight}. It is never run as a whole; its owner calls the children.
 */
final class ConvModuleList extends AbstractBlock {

    ConvModule add(ConvModule module) {
        return addChildBlock(Integer.toString(children.size()), module);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        throw new UnsupportedOperationException("a module list is not callable; its owner runs the children");
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        throw new UnsupportedOperationException("a module list has no output shape of its own");
    }
}
