package org.retinanet.experiments.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.HashMap;
import java.util.Map;

/**
 * The weights of an inference run in a precision: the weights themselves in float32, otherwise a
 * copy per parameter in the plan's type, made once and kept in {@code manager} (the weights do not
 * change while a model only predicts).
 */
public final class InferenceWeights extends ParameterStore {

    private final PrecisionPlan plan;
    private final NDManager manager;
    private final Map<String, NDArray> copies = new HashMap<>();

    public InferenceWeights(PrecisionPlan plan, NDManager manager) {
        super(manager, false);
        this.plan = plan;
        this.manager = manager;
    }

    public PrecisionPlan plan() {
        return plan;
    }

    @Override
    public NDArray getValue(Parameter parameter, Device device, boolean training) {
        if (parameter == null) {
            return null;
        }
        NDArray weight = parameter.getArray();
        DataType type = plan.typeOf(parameter);
        if (weight.getDevice().equals(device) && weight.getDataType() == type) {
            return weight;
        }
        return copies.computeIfAbsent(parameter.getId(), id -> WeightCopy.of(weight, device, type, manager));
    }
}
