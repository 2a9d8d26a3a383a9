package org.retinanet.experiments.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * SGD in PyTorch's form (what mmdetection runs): {@code d = g + wd * w; buf = m * buf + d}
 * (buf = d on the first step); {@code w -= lr * buf}. Weight decay applies to every parameter, as
 * in mmdetection's RetinaNet configs. DJL's own Sgd folds lr into the momentum buffer, which differs
 * whenever lr changes (warmup, steps), so this is our own. Optional clipping by global L2 norm
 * (torch's clip_grad_norm_). Gradients are zeroed after each step.
 */
public final class Sgd {

    private final Map<String, Parameter> parameters;
    private final double momentum;
    private final double weightDecay;
    private final Double clipNorm;
    private final NDManager stateManager;
    private final Map<String, NDArray> buffers = new LinkedHashMap<>();

    /** {@code parameters}: trainable parameters by name; momentum buffers live in {@code stateManager}. */
    public Sgd(Map<String, Parameter> parameters, double momentum, double weightDecay, Double clipNorm, NDManager stateManager) {
        this.parameters = parameters;
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        this.clipNorm = clipNorm;
        this.stateManager = stateManager;
    }

    /** Applies one update with learning rate {@code lr}; returns the gradient norm before clipping. */
    public double step(double lr) {
        double norm;
        // results of NDArray ops land in the manager of their operand: temporarily attaching the
        // long-lived weights and buffers to a scratch manager frees every intermediate at its close
        try (NDManager scratch = stateManager.newSubManager()) {
            NDList grads = new NDList();
            for (Parameter p : parameters.values()) {
                NDArray g = p.getArray().getGradient();
                g.attach(scratch);
                grads.add(g);
            }
            norm = globalNorm(grads);
            if (!Double.isFinite(norm)) {
                // leave the weights as they were: the run stops and its last checkpoint stays good
                nonFinite = nonFiniteNames(grads);
                return norm;
            }
            float scale = 1f;
            if (clipNorm != null && norm > clipNorm) {
                scale = (float) (clipNorm / (norm + 1e-6));
            }
            int i = 0;
            for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
                NDArray w = e.getValue().getArray();
                w.tempAttach(scratch);
                NDArray g = grads.get(i++);
                NDArray d = g.mul(scale);
                if (weightDecay != 0) {
                    d = d.add(w.mul((float) weightDecay));
                }
                NDArray update = d;
                if (momentum != 0) {
                    NDArray buf = buffers.get(e.getKey());
                    if (buf == null) {
                        buf = d.duplicate();
                        buf.attach(stateManager);
                        buffers.put(e.getKey(), buf);
                    } else {
                        buf.tempAttach(scratch);
                        buf.muli((float) momentum).addi(d);
                    }
                    update = buf;
                }
                w.subi(update.mul((float) lr));
                g.subi(g);
            }
        }
        return norm;
    }

    private java.util.List<String> nonFinite = java.util.List.of();

    /** Parameters whose gradient had a NaN or Inf in the last step that returned a non-finite norm. */
    public java.util.List<String> nonFiniteGradients() {
        return nonFinite;
    }

    private java.util.List<String> nonFiniteNames(NDList grads) {
        java.util.List<String> names = new java.util.ArrayList<>();
        int i = 0;
        for (String name : parameters.keySet()) {
            NDArray g = grads.get(i++);
            if (g.isInfinite().any().getBoolean() || g.isNaN().any().getBoolean()) {
                names.add(name);
            }
        }
        return names;
    }

    private static double globalNorm(NDList grads) {
        NDArray total = null;
        for (NDArray g : grads) {
            NDArray s = g.square().sum();
            total = total == null ? s : total.add(s);
        }
        // one host sync per step
        return total == null ? 0 : Math.sqrt(total.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble());
    }

    /** Momentum buffers by parameter name (for checkpoints). */
    public Map<String, NDArray> state() {
        return buffers;
    }

    /** Restores momentum buffers saved by {@link #state()}. */
    public void load(Map<String, NDArray> saved) {
        buffers.values().forEach(NDArray::close);
        buffers.clear();
        for (Map.Entry<String, NDArray> e : saved.entrySet()) {
            Parameter p = parameters.get(e.getKey());
            if (p == null) {
                throw new IllegalArgumentException("optimizer state for unknown parameter " + e.getKey());
            }
            NDArray b = e.getValue().toDevice(p.getArray().getDevice(), true);
            b.attach(stateManager);
            buffers.put(e.getKey(), b);
        }
    }
}
