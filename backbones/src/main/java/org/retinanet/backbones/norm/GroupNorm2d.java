package org.retinanet.backbones.norm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

/**
 * torch.nn.GroupNorm (eps 1e-5, affine): biased mean and variance over each group's channels and
 * pixels, then a per-channel {@code weight} and {@code bias}. It has no running statistics, so
 * training and eval mode are the same.
 */
public final class GroupNorm2d extends NormLayer {

    private final float eps;

    private final int groups;
    private final Parameter weight;
    private final Parameter bias;

    public GroupNorm2d(int groups, int channels, boolean affineTrainable, boolean zeroInitWeight, float eps) {
        super(channels);
        this.eps = eps;
        if (groups <= 0 || channels % groups != 0) {
            throw new IllegalArgumentException("normGroups: " + groups + " groups do not divide " + channels + " channels");
        }
        this.groups = groups;
        Shape shape = new Shape(channels);
        weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.GAMMA).optShape(shape)
                .optInitializer(zeroInitWeight ? Initializer.ZEROS : Initializer.ONES)
                .optRequiresGrad(affineTrainable).build());
        bias = addParameter(Parameter.builder().setName("bias").setType(Parameter.Type.BETA).optShape(shape)
                .optRequiresGrad(affineTrainable).build());
    }

    @Override
    public boolean usesRunningStatistics(boolean training) {
        return false;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        Shape shape = x.getShape();
        NDArray grouped = x.reshape(shape.get(0), groups, -1);
        NDArray centred = grouped.sub(grouped.mean(new int[] {2}, true));
        NDArray var = centred.square().mean(new int[] {2}, true);
        NDArray normed = centred.mul(var.add(eps).pow(-0.5f)).reshape(shape);
        NDArray gamma = perChannel(store.getValue(weight, x.getDevice(), training), x);
        NDArray beta = perChannel(store.getValue(bias, x.getDevice(), training), x);
        return new NDList(normed.mul(gamma).add(beta));
    }
}
