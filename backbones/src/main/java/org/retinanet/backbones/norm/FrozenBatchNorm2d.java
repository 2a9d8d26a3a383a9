package org.retinanet.backbones.norm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import org.retinanet.api.nn.HalfPrecision;

/**
 * torchvision's FrozenBatchNorm2d (eps 1e-5 by default; torchvision sets 0 for its COCO detector weights): a fixed per-channel affine map computed from
 * {@code weight}, {@code bias}, {@code running_mean} and {@code running_var}, none of which is
 * ever trained or updated: {@code y = x * w / sqrt(rv + eps) + (b - rm * w / sqrt(rv + eps))}.
 */
public final class FrozenBatchNorm2d extends NormLayer {

    private final float eps;

    private final Parameter weight;
    private final Parameter bias;
    private final Parameter runningMean;
    private final Parameter runningVar;

    public FrozenBatchNorm2d(int channels, boolean zeroInitWeight, float eps) {
        super(channels);
        this.eps = eps;
        Shape shape = new Shape(channels);
        weight = addParameter(Parameter.builder()
                .setName("weight")
                .setType(Parameter.Type.GAMMA)
                .optShape(shape)
                .optInitializer(zeroInitWeight ? Initializer.ZEROS : Initializer.ONES)
                .optRequiresGrad(false)
                .build());
        bias = addParameter(Parameter.builder()
                .setName("bias")
                .setType(Parameter.Type.BETA)
                .optShape(shape)
                .optRequiresGrad(false)
                .build());
        runningMean = addParameter(Parameter.builder()
                .setName("running_mean")
                .setType(Parameter.Type.RUNNING_MEAN)
                .optShape(shape)
                .optRequiresGrad(false)
                .build());
        runningVar = addParameter(Parameter.builder()
                .setName("running_var")
                .setType(Parameter.Type.RUNNING_VAR)
                .optShape(shape)
                .optRequiresGrad(false)
                .build());
    }

    @Override
    public boolean usesRunningStatistics(boolean training) {
        return true;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        if (HalfPrecision.isHalf(x)) {
            // the same affine as libtorch's eval-mode batch norm: float32 inside, half out
            return x.getNDArrayInternal()
                    .batchNorm(
                            x,
                            store.getValue(runningMean, x.getDevice(), false),
                            store.getValue(runningVar, x.getDevice(), false),
                            store.getValue(weight, x.getDevice(), false),
                            store.getValue(bias, x.getDevice(), false),
                            1,
                            0.9f,
                            eps,
                            false);
        }
        NDArray w = perChannel(store.getValue(weight, x.getDevice(), false), x);
        NDArray b = perChannel(store.getValue(bias, x.getDevice(), false), x);
        NDArray rm = perChannel(store.getValue(runningMean, x.getDevice(), false), x);
        NDArray rv = perChannel(store.getValue(runningVar, x.getDevice(), false), x);
        NDArray scale = rv.add(eps).pow(-0.5f).mul(w);
        NDArray shift = b.sub(rm.mul(scale));
        return new NDList(x.mul(scale).add(shift));
    }
}
