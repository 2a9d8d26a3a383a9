package org.retinanet.experiments.train;

import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.util.HashSet;
import java.util.Set;
import org.retinanet.api.nn.KeepsFloat32;
import org.retinanet.experiments.config.Precision;

/**
 * Which type each parameter of a model computes in: everything in the precision's type, except the
 * parameters of blocks that {@link KeepsFloat32} (normalisation layers), as mmcv's
 * {@code wrap_fp16_model} keeps them.
 */
public final class PrecisionPlan {

    private final Precision precision;
    private final Set<String> float32 = new HashSet<>();

    private PrecisionPlan(Precision precision, Block model) {
        this.precision = precision;
        collect(model, false);
    }

    public static PrecisionPlan of(Precision precision, Block model) {
        return new PrecisionPlan(precision, model);
    }

    private void collect(Block block, boolean inFloat32Block) {
        boolean keep = inFloat32Block || block instanceof KeepsFloat32;
        if (keep) {
            block.getDirectParameters().values().forEach(p -> float32.add(p.getId()));
        }
        block.getChildren().values().forEach(child -> collect(child, keep));
    }

    public Precision precision() {
        return precision;
    }

    /** The type of the images and activations. */
    public DataType computeType() {
        return precision.dataType();
    }

    public boolean keepsFloat32(Parameter parameter) {
        return float32.contains(parameter.getId());
    }

    /** The type {@code parameter} computes in. */
    public DataType typeOf(Parameter parameter) {
        DataType own = parameter.getArray().getDataType();
        return precision == Precision.FP32 || keepsFloat32(parameter) || !own.isFloating() ? own : precision.dataType();
    }
}
