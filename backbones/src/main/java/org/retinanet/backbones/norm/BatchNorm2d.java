package org.retinanet.backbones.norm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

/**
 * torch.nn.BatchNorm2d (eps 1e-5, momentum 0.1, running variance updated with the unbiased batch
 * variance), with parameters named {@code weight}, {@code bias}, {@code running_mean},
 * {@code running_var}.
 *
 * <p>Unlike DJL's BatchNorm it can be pinned to eval mode ({@code evalAlways}): mmdetection's
 * {@code norm_eval} and frozen stages use the running statistics in training and never update them.
 */
public final class BatchNorm2d extends NormLayer {

    private final float eps;
    /** torch's momentum 0.1; DJL's batchNorm takes the complementary convention (0.9). */
    private static final float DJL_MOMENTUM = 0.9f;

    private final boolean evalAlways;
    private final Parameter weight;
    private final Parameter bias;
    private final Parameter runningMean;
    private final Parameter runningVar;

    /**
     * @param channels number of channels (dimension 1 of NCHW)
     * @param evalAlways use running statistics even in training, and never update them
     * @param affineTrainable whether weight and bias get gradients
     * @param zeroInitWeight initialise weight with 0 instead of 1 (zero-init residual)
     * @param eps added to the variance (torch: 1e-5)
     */
    public BatchNorm2d(int channels, boolean evalAlways, boolean affineTrainable, boolean zeroInitWeight, float eps) {
        super(channels);
        this.eps = eps;
        this.evalAlways = evalAlways;
        Shape shape = new Shape(channels);
        weight = addParameter(Parameter.builder()
                .setName("weight")
                .setType(Parameter.Type.GAMMA)
                .optShape(shape)
                .optInitializer(zeroInitWeight ? Initializer.ZEROS : Initializer.ONES)
                .optRequiresGrad(affineTrainable)
                .build());
        bias = addParameter(Parameter.builder()
                .setName("bias")
                .setType(Parameter.Type.BETA)
                .optShape(shape)
                .optRequiresGrad(affineTrainable)
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

    public boolean evalAlways() {
        return evalAlways;
    }

    @Override
    public boolean usesRunningStatistics(boolean training) {
        return evalAlways || !training;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray gamma = store.getValue(weight, x.getDevice(), training);
        NDArray beta = store.getValue(bias, x.getDevice(), training);
        NDArray mean = store.getValue(runningMean, x.getDevice(), training);
        NDArray var = store.getValue(runningVar, x.getDevice(), training);
        // In batch-statistics mode the engine updates mean/var in place (as torch does); half input
        // with these float32 arrays computes in float32 and keeps the statistics float32.
        boolean batchStatistics = !usesRunningStatistics(training);
        return x.getNDArrayInternal().batchNorm(x, mean, var, gamma, beta, 1, DJL_MOMENTUM, eps, batchStatistics);
    }
}
