package org.retinanet.experiments.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.retinanet.api.nn.TensorCopy;

/**
 * The weights one training step computes with, and the gradients it hands the optimizer.
 *
 * <p>Shard 0 of a float32 step runs on the weights themselves. Every other view (a shard on
 * another device, or any shard in half precision) is a fresh leaf copy made on first use: DJL's
 * casts and device copies run under libtorch's no-grad guard, so a copy cannot carry gradients
 * back by itself. After the backward passes, {@link #gradients} adds each leaf's gradient into
 * its weight's, in float32 on the weight's device, as DistributedDataParallel's all-reduce and
 * mmcv's FP16 optimizer hook (half model, float32 master weights) do. Parameters of
 * {@link PrecisionPlan#keepsFloat32 normalisation layers} stay float32 in half precision.
 * BatchNorm statistics updated by a copy are dropped with it: the weights keep shard 0's, as
 * DistributedDataParallel keeps rank 0's buffers.
 */
public final class StepWeights extends ParameterStore {

    private final PrecisionPlan plan;
    private final List<Map<String, NDArray>> leaves = new ArrayList<>();
    private final Set<String> usedDirectly = new HashSet<>();
    private final NDManager primary;
    private NDManager shardManager;
    private int shard;

    public StepWeights(PrecisionPlan plan, NDManager primary) {
        super(primary, false);
        this.plan = plan;
        this.primary = primary;
        use(0, primary);
    }

    /** The type of the images and activations this step computes in. */
    public DataType computeType() {
        return plan.computeType();
    }

    /** Routes later lookups to shard {@code index}; its copies live in {@code manager}. */
    void use(int index, NDManager manager) {
        while (leaves.size() <= index) {
            leaves.add(new HashMap<>());
        }
        shard = index;
        shardManager = manager;
    }

    @Override
    public NDArray getValue(Parameter parameter, Device device, boolean training) {
        if (parameter == null) {
            return null;
        }
        NDArray weight = parameter.getArray();
        DataType type = plan.typeOf(parameter);
        if (shard == 0 && weight.getDevice().equals(device) && weight.getDataType() == type) {
            usedDirectly.add(parameter.getId());
            return weight;
        }
        return leaves.get(shard).computeIfAbsent(parameter.getId(), id -> leaf(parameter, device, type));
    }

    private NDArray leaf(Parameter parameter, Device device, DataType type) {
        NDArray copy = WeightCopy.of(parameter.getArray(), device, type, shardManager);
        if (parameter.requiresGradient()) {
            copy.setRequiresGradient(true);
        }
        return copy;
    }

    /**
     * Each trainable parameter's gradient, float32 on its device, multiplied by {@code unscale}
     * (1 / loss scale): its own gradient when the step used it directly (scaled in place) plus
     * every copy's. The optimizer's kernel zeroes what it is given.
     */
    public Map<String, NDArray> gradients(Map<String, Parameter> trainable, float unscale) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : trainable.entrySet()) {
            Parameter p = e.getValue();
            NDArray weight = p.getArray();
            NDArray g = null;
            if (usedDirectly.contains(p.getId())) {
                g = weight.getGradient();
                g.attach(primary); // a view of the weight's gradient; the handle goes with the step
                if (unscale != 1f) {
                    g.muli(unscale);
                }
            }
            for (Map<String, NDArray> shardLeaves : leaves) {
                NDArray leaf = shardLeaves.get(p.getId());
                if (leaf == null) {
                    continue;
                }
                // cast before the move: DJL's toDevice hands libtorch the array's type, which bfloat16 lacks
                NDArray lg = leaf.getGradient().toType(DataType.FLOAT32, false).toDevice(weight.getDevice(), false);
                if (unscale != 1f) {
                    lg = lg.mul(unscale);
                }
                if (g == null) {
                    g = lg;
                } else {
                    g.addi(lg);
                }
            }
            if (g == null) {
                g = primary.zeros(weight.getShape(), DataType.FLOAT32, weight.getDevice());
            }
            out.put(e.getKey(), g);
        }
        return out;
    }

    /** Zeroes the gradients of the weights used directly, after a step the loss scale skipped (they hold Inf or NaN). */
    public void discardGradients(Map<String, Parameter> trainable) {
        for (Parameter p : trainable.values()) {
            if (usedDirectly.contains(p.getId())) {
                NDArray g = p.getArray().getGradient();
                g.attach(primary);
                try (NDArray zeros = g.zerosLike()) {
                    TensorCopy.into(g, zeros);
                }
            }
        }
    }
}
