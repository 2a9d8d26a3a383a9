package org.retinanet.necks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * torch.nn.GroupNorm with affine terms named {@code weight} and {@code bias} (DJL has no GroupNorm
 * block). Statistics are the biased mean and variance over each group's channels and pixels.
 */
public final class GroupNorm extends AbstractBlock {

    private static final float EPS = 1e-5f;

    private final int groups;
    private final int channels;
    private final Parameter weight;
    private final Parameter bias;

    public GroupNorm(int groups, int channels) {
        if (groups <= 0 || channels % groups != 0) {
            throw new IllegalArgumentException("GroupNorm: " + groups + " groups do not divide " + channels + " channels");
        }
        this.groups = groups;
        this.channels = channels;
        weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.GAMMA)
                .optShape(new Shape(channels)).build());
        bias = addParameter(Parameter.builder().setName("bias").setType(Parameter.Type.BETA)
                .optShape(new Shape(channels)).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        Shape shape = x.getShape();
        NDArray grouped = x.reshape(shape.get(0), groups, -1);
        NDArray mean = grouped.mean(new int[] {2}, true);
        NDArray centred = grouped.sub(mean);
        NDArray var = centred.square().mean(new int[] {2}, true);
        NDArray normed = centred.div(var.add(EPS).sqrt()).reshape(shape);
        Shape perChannel = new Shape(1, channels, 1, 1);
        // reshaped views land in the parameter's long-lived manager: give them to the step's
        NDArray gamma = store.getValue(weight, x.getDevice(), training).reshape(perChannel);
        NDArray beta = store.getValue(bias, x.getDevice(), training).reshape(perChannel);
        gamma.attach(x.getManager());
        beta.attach(x.getManager());
        return new NDList(normed.mul(gamma).add(beta));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
