package org.retinanet.api.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

/**
 * torch.nn.GroupNorm over (N, C, H, W), which DJL lacks: biased mean and variance per sample and
 * group of C/G channels, then a per-channel affine {@code weight} (1) and {@code bias} (0), named
 * as torch names them so that checkpoints load by key. No running statistics, so training and
 * eval are the same. In half precision it keeps its parameters in float32 ({@link KeepsFloat32}):
 * the statistics and the affine run in libtorch's batch-norm kernel, which takes half input with
 * float32 parameters and computes in float32.
 */
public final class GroupNorm2d extends AbstractBlock implements KeepsFloat32 {

    private static final byte VERSION = 1;

    private final int groups;
    private final int channels;
    private final float eps;
    private final Parameter weight;
    private final Parameter bias;

    GroupNorm2d(Builder builder) {
        super(VERSION);
        if (builder.groups <= 0 || builder.channels <= 0 || builder.channels % builder.groups != 0) {
            throw new IllegalArgumentException(
                    "GroupNorm: " + builder.groups + " groups do not divide " + builder.channels + " channels");
        }
        groups = builder.groups;
        channels = builder.channels;
        eps = builder.eps;
        Shape shape = new Shape(channels);
        weight = addParameter(Parameter.builder()
                .setName("weight")
                .setType(Parameter.Type.GAMMA)
                .optShape(shape)
                .optInitializer(builder.zeroInitWeight ? Initializer.ZEROS : Initializer.ONES)
                .optRequiresGrad(builder.affineTrainable)
                .build());
        bias = addParameter(Parameter.builder()
                .setName("bias")
                .setType(Parameter.Type.BETA)
                .optShape(shape)
                .optRequiresGrad(builder.affineTrainable)
                .build());
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        if (HalfPrecision.isHalf(x)) {
            return new NDList(halfForward(store, x, training));
        }
        Shape shape = x.getShape();
        NDArray grouped = x.reshape(shape.get(0), groups, -1);
        NDArray centred = grouped.sub(grouped.mean(new int[] {2}, true));
        NDArray var = centred.square().mean(new int[] {2}, true);
        NDArray normed = centred.div(var.add(eps).sqrt()).reshape(shape);
        NDArray gamma = perChannel(store.getValue(weight, x.getDevice(), training), x);
        NDArray beta = perChannel(store.getValue(bias, x.getDevice(), training), x);
        return new NDList(normed.mul(gamma).add(beta));
    }

    /**
     * Group statistics as batch statistics of (1, N * G, C / G * H * W) with unit affine, then the
     * per-channel affine as an eval-mode batch norm with zero mean, unit variance and eps 0: both
     * are differentiable, float32 inside, and return x's type.
     */
    private NDArray halfForward(ParameterStore store, NDArray x, boolean training) {
        Shape shape = x.getShape();
        NDManager manager = x.getManager();
        long rows = shape.get(0) * groups;
        NDArray grouped = x.reshape(1, rows, -1);
        NDArray ones = manager.ones(new Shape(rows), DataType.FLOAT32, x.getDevice());
        NDArray zeros = manager.zeros(new Shape(rows), DataType.FLOAT32, x.getDevice());
        // the kernel updates running statistics in place: throwaway ones, dropped with the step
        NDArray runningMean = manager.zeros(new Shape(rows), DataType.FLOAT32, x.getDevice());
        NDArray runningVar = manager.ones(new Shape(rows), DataType.FLOAT32, x.getDevice());
        NDArray normed = grouped.getNDArrayInternal()
                .batchNorm(grouped, runningMean, runningVar, ones, zeros, 1, 0.9f, eps, true)
                .singletonOrThrow()
                .reshape(shape);
        NDArray gamma = store.getValue(weight, x.getDevice(), training);
        NDArray beta = store.getValue(bias, x.getDevice(), training);
        NDArray mean0 = manager.zeros(new Shape(channels), DataType.FLOAT32, x.getDevice());
        NDArray var1 = manager.ones(new Shape(channels), DataType.FLOAT32, x.getDevice());
        return normed.getNDArrayInternal()
                .batchNorm(normed, mean0, var1, gamma, beta, 1, 0.9f, 0f, false)
                .singletonOrThrow();
    }

    /**
     * A parameter's value shaped (1, C, 1, 1). An op on a parameter's array lands in the
     * parameter's long-lived manager, so the view moves to the step's (that of {@code x});
     * otherwise every step would leave one array behind.
     */
    private NDArray perChannel(NDArray value, NDArray x) {
        NDArray view = value.reshape(1, channels, 1, 1);
        view.attach(x.getManager());
        return view;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    public void prepare(Shape[] inputShapes) {
        if (inputShapes[0].get(1) != channels) {
            throw new IllegalArgumentException(
                    "GroupNorm expects " + channels + " channels, got shape " + inputShapes[0]);
        }
    }

    @Override
    public String toString() {
        return "GroupNorm2d(" + groups + ", " + channels + ")";
    }

    /** Groups and channels are required; eps 1e-5, trainable affine terms initialised to 1 and 0. */
    public static final class Builder {

        private int groups;
        private int channels;
        private float eps = 1e-5f;
        private boolean affineTrainable = true;
        private boolean zeroInitWeight;

        Builder() {}

        public Builder setGroups(int groups) {
            this.groups = groups;
            return this;
        }

        public Builder setChannels(int channels) {
            this.channels = channels;
            return this;
        }

        public Builder optEps(float eps) {
            this.eps = eps;
            return this;
        }

        /** Whether weight and bias get gradients (false in a frozen stage). */
        public Builder optAffineTrainable(boolean affineTrainable) {
            this.affineTrainable = affineTrainable;
            return this;
        }

        /** Initialise weight with 0 instead of 1 (zero-init residual). */
        public Builder optZeroInitWeight(boolean zeroInitWeight) {
            this.zeroInitWeight = zeroInitWeight;
            return this;
        }

        public GroupNorm2d build() {
            return new GroupNorm2d(this);
        }
    }
}
