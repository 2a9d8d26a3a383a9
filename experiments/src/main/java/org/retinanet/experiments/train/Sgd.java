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
                largestGradient = nonFinite.isEmpty() ? largest(grads) : "";
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
                // the gradient is zeroed below, so it serves as d in place: one temporary for the
                // weight decay term and one for lr * update, as torch's own SGD needs
                NDArray d = grads.get(i++);
                if (scale != 1f) {
                    d.muli(scale);
                }
                if (weightDecay != 0) {
                    d.addi(w.mul((float) weightDecay));
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
                d.subi(d);
            }
        }
        return norm;
    }

    private java.util.List<String> nonFinite = java.util.List.of();
    private String largestGradient = "";

    /** Parameters whose gradient had a NaN or Inf in the last step that returned a non-finite norm. */
    public java.util.List<String> nonFiniteGradients() {
        return nonFinite;
    }

    /**
     * What made the last step's gradient norm non-finite: the parameters with NaN or Inf gradients,
     * or, when every gradient is finite, the float32 sum of squares overflowing (gradients beyond
     * about 1e19), with the largest gradient.
     */
    public String nonFiniteReport() {
        if (!nonFinite.isEmpty()) {
            return "gradient (in " + nonFinite.size() + " parameters, first: "
                    + String.join(", ", nonFinite.subList(0, Math.min(3, nonFinite.size()))) + ")";
        }
        return "gradient norm (every gradient is finite but their sum of squares overflows float32; " + largestGradient + ")";
    }

    private String largest(NDList grads) {
        double max = -1;
        String where = "";
        int i = 0;
        for (String name : parameters.keySet()) {
            double m = grads.get(i++).abs().max().toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
            if (m > max) {
                max = m;
                where = name;
            }
        }
        return String.format("largest |gradient| %.3g in %s", max, where);
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

    /** torch's clip_grad_norm_: the L2 norm of the per-parameter L2 norms (no squared temporaries). */
    private static double globalNorm(NDList grads) {
        if (grads.isEmpty()) {
            return 0;
        }
        NDList norms = new NDList(grads.size());
        for (NDArray g : grads) {
            norms.add(g.norm());
        }
        // one host sync per step
        return ai.djl.ndarray.NDArrays.stack(norms).norm().toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
    }

    /** Momentum buffers by parameter name (for checkpoints). */
    public Map<String, NDArray> state() {
        return buffers;
    }

    /** Restores momentum buffers saved by {@link #state()}. */
    public void load(Map<String, NDArray> saved) {
        for (String name : saved.keySet()) {
            if (!parameters.containsKey(name)) {
                throw new IllegalArgumentException("optimizer state for unknown parameter " + name);
            }
        }
        buffers.values().forEach(NDArray::close);
        buffers.clear();
        // in parameter order, as a run that never stopped fills them: later checkpoints stay byte-identical
        for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
            NDArray s = saved.get(e.getKey());
            if (s == null) {
                continue;
            }
            // a real copy: PyTorch's to(device, copy) returns an alias when the device is the same,
            // and the saved arrays may still be in use (another optimizer's live state)
            NDArray b = s.toDevice(e.getValue().getArray().getDevice(), false).duplicate();
            b.attach(stateManager);
            buffers.put(e.getKey(), b);
        }
    }
}
