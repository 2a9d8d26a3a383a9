package org.retinanet.backbones.norm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import org.retinanet.api.nn.KeepsFloat32;

/**
 * A batch normalisation layer of a ResNet (BN or frozen BN; GN is platform-api's GroupNorm2d). Its
 * affine parameters are named {@code weight} and {@code bias}, as torch names them. In half
 * precision its parameters and statistics stay float32 ({@link KeepsFloat32}): libtorch's batch-norm
 * kernel takes half input with float32 parameters, computes in float32 and returns half.
 */
public abstract class NormLayer extends AbstractBlock implements KeepsFloat32 {

    protected final int channels;

    protected NormLayer(int channels) {
        if (channels <= 0) {
            throw new IllegalArgumentException("norm layer: channels must be positive, got " + channels);
        }
        this.channels = channels;
    }

    public int channels() {
        return channels;
    }

    /** Whether this layer uses its running statistics even in a training forward (eval mode). */
    public abstract boolean usesRunningStatistics(boolean training);

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    /**
     * A parameter's value shaped (1, C, 1, 1) for broadcasting over {@code x}. An op on a
     * parameter's array belongs to the parameter's (long-lived) manager, so the view is moved
     * to the manager of {@code x} (the step's), where it is released with the step.
     */
    protected final NDArray perChannel(NDArray parameterValue, NDArray x) {
        NDArray view = parameterValue.reshape(1, channels, 1, 1);
        view.attach(x.getManager());
        return view;
    }
}
