package org.retinanet.api.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import java.util.function.Function;

/**
 * mmcv's ConvModule: a square conv named {@code conv}, an optional {@link GroupNorm2d} named
 * {@code gn}, then an optional activation, so parameter keys are mmdetection's
 * ({@code conv.weight}, {@code conv.bias}, {@code gn.weight}, {@code gn.bias}). As in mmcv and
 * torchvision, the conv has a bias only when there is no norm.
 */
public final class ConvModule extends AbstractBlock {

    private static final byte VERSION = 1;

    private final Conv2d conv;
    private final GroupNorm2d gn;
    private final Function<NDArray, NDArray> activation;

    ConvModule(Builder builder) {
        super(VERSION);
        boolean normed = builder.groups > 0;
        conv = addChildBlock(
                "conv",
                Conv2d.builder()
                        .setKernelShape(new Shape(builder.kernel, builder.kernel))
                        .optStride(new Shape(builder.stride, builder.stride))
                        .optPadding(new Shape(builder.padding, builder.padding))
                        .setFilters(builder.filters)
                        .optBias(!normed)
                        .build());
        if (builder.weightInitializer != null) {
            conv.setInitializer(builder.weightInitializer, Parameter.Type.WEIGHT);
        }
        gn = normed
                ? addChildBlock(
                        "gn",
                        GroupNorm2d.builder()
                                .setGroups(builder.groups)
                                .setChannels(builder.filters)
                                .build())
                : null;
        activation = builder.activation;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList x = conv.forward(store, inputs, training, params);
        if (gn != null) {
            x = gn.forward(store, x, training, params);
        }
        return activation == null ? x : new NDList(activation.apply(x.singletonOrThrow()));
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

    /** Filters and kernel are required; stride 1, padding 0, no norm, no activation by default. */
    public static final class Builder {

        private int filters;
        private int kernel;
        private int stride = 1;
        private int padding;
        private int groups;
        private Function<NDArray, NDArray> activation;
        private Initializer weightInitializer;

        Builder() {}

        public Builder setFilters(int filters) {
            this.filters = filters;
            return this;
        }

        public Builder setKernel(int kernel) {
            this.kernel = kernel;
            return this;
        }

        public Builder optStride(int stride) {
            this.stride = stride;
            return this;
        }

        public Builder optPadding(int padding) {
            this.padding = padding;
            return this;
        }

        /** GroupNorm with this many groups after the conv; 0 for none. */
        public Builder optGroupNorm(int groups) {
            this.groups = groups;
            return this;
        }

        /** Applied last, for example {@code Activation::relu}. */
        public Builder optActivation(Function<NDArray, NDArray> activation) {
            this.activation = activation;
            return this;
        }

        /** The conv weight's initializer (DJL's default for weights otherwise). */
        public Builder optWeightInitializer(Initializer initializer) {
            this.weightInitializer = initializer;
            return this;
        }

        public ConvModule build() {
            if (filters <= 0 || kernel <= 0) {
                throw new IllegalArgumentException(
                        "ConvModule: filters and kernel must be positive, got " + filters + " and " + kernel);
            }
            return new ConvModule(this);
        }
    }
}
