package org.retinanet.necks;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.PairList;

/**
 * mmcv's ConvModule without activation: child {@code conv}, then child {@code gn} when normed, so
 * parameter keys are mmdetection's ({@code conv.weight}, {@code conv.bias}, {@code gn.weight}).
 * As in mmcv, the conv has a bias only when there is no norm.
 */
public final class ConvModule extends AbstractBlock {

    private final Conv2d conv;
    private final GroupNorm gn;

    public ConvModule(int outChannels, int kernel, int stride, int padding, int normGroups, String init) {
        boolean normed = normGroups > 0;
        conv = addChildBlock("conv", Conv2d.builder()
                .setKernelShape(new Shape(kernel, kernel))
                .optStride(new Shape(stride, stride))
                .optPadding(new Shape(padding, padding))
                .setFilters(outChannels)
                .optBias(!normed)
                .build());
        conv.setInitializer(weightInit(init), Parameter.Type.WEIGHT);
        conv.setInitializer(Initializer.ZEROS, Parameter.Type.BIAS);
        gn = normed ? addChildBlock("gn", new GroupNorm(normGroups, outChannels)) : null;
    }

    /** xavier_uniform (gain 1): U(+-sqrt(6/(fanIn+fanOut))); kaiming_uniform(a=1): U(+-sqrt(3/fanIn)). */
    static Initializer weightInit(String init) {
        return switch (init) {
            case "xavier" -> new XavierInitializer(XavierInitializer.RandomType.UNIFORM, XavierInitializer.FactorType.AVG, 3f);
            case "kaiming" -> new XavierInitializer(XavierInitializer.RandomType.UNIFORM, XavierInitializer.FactorType.IN, 3f);
            default -> throw new IllegalArgumentException("fpn: unknown init '" + init + "'");
        };
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList out = conv.forward(store, inputs, training, params);
        return gn == null ? out : gn.forward(store, out, training, params);
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
