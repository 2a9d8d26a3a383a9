package org.retinanet.backbones;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;

/** Parameter counts as torch counts them: {@code running_mean}/{@code running_var} are buffers. */
public final class ParameterCounts {

    private ParameterCounts() {}

    public static boolean isBuffer(Parameter p) {
        return p.getType() == Parameter.Type.RUNNING_MEAN || p.getType() == Parameter.Type.RUNNING_VAR;
    }

    /** Elements of every non-buffer parameter; the shapes must be known (block initialised). */
    public static long parameters(Block block) {
        long n = 0;
        for (Parameter p : block.getParameters().values()) {
            if (!isBuffer(p)) {
                n += p.getShape().size();
            }
        }
        return n;
    }

    /** Elements of the parameters that currently receive gradients. */
    public static long trainable(Block block) {
        long n = 0;
        for (Parameter p : block.getParameters().values()) {
            if (!isBuffer(p) && p.requiresGradient()) {
                n += p.getShape().size();
            }
        }
        return n;
    }
}
