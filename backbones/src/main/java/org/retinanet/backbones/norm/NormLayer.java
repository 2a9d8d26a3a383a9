package org.retinanet.backbones.norm;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;

/**
 * A per-channel normalisation layer of a ResNet (BN, frozen BN or GN). Its affine parameters are
 * named {@code weight} and {@code bias}, as torch names them.
 */
public abstract class NormLayer extends AbstractBlock {

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

    static Shape perChannel(int channels) {
        return new Shape(1, channels, 1, 1);
    }
}
