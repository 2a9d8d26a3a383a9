package org.retinanet.heads.block;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * torch.nn.GroupNorm over (N, C, H, W): statistics per (sample, group of C/G channels), biased
 * variance, eps 1e-5, then a per-channel affine {@code weight} (1) and {@code bias} (0). DJL has
 * no group norm, so it is written with NDArray ops.
 */
public final class GroupNorm2d extends AbstractBlock {

    private static final byte VERSION = 1;
    private static final float EPS = 1e-5f;

    private final int groups;
    private final int channels;
    private final Parameter weight;
    private final Parameter bias;

    public GroupNorm2d(int groups, int channels) {
        super(VERSION);
        if (groups <= 0 || channels % groups != 0) {
            throw new IllegalArgumentException("GroupNorm: " + groups + " groups do not divide " + channels + " channels");
        }
        this.groups = groups;
        this.channels = channels;
        this.weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.GAMMA)
                .optShape(new Shape(channels)).build());
        this.bias = addParameter(Parameter.builder().setName("bias").setType(Parameter.Type.BETA)
                .optShape(new Shape(channels)).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        Shape shape = x.getShape();
        NDArray grouped = x.reshape(shape.get(0), groups, -1);
        NDArray mean = grouped.mean(new int[] {2}, true);
        NDArray centered = grouped.sub(mean);
        NDArray var = centered.square().mean(new int[] {2}, true);
        NDArray normed = centered.div(var.add(EPS).sqrt()).reshape(shape);
        // reshaped views land in the parameter's long-lived manager: give them to the step's
        NDArray w = store.getValue(weight, x.getDevice(), training).reshape(1, channels, 1, 1);
        NDArray b = store.getValue(bias, x.getDevice(), training).reshape(1, channels, 1, 1);
        w.attach(x.getManager());
        b.attach(x.getManager());
        return new NDList(normed.mul(w).add(b));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    public void prepare(Shape[] inputShapes) {
        if (inputShapes[0].get(1) != channels) {
            throw new IllegalArgumentException("GroupNorm expects " + channels + " channels, got shape " + inputShapes[0]);
        }
    }

    @Override
    public String toString() {
        return "GroupNorm2d(" + groups + ", " + channels + ")";
    }

}
