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
 * in mmdetection's RetinaNet configs. Optional clipping by global L2 norm (torch's
 * clip_grad_norm_). Gradients are zeroed after each step.
 *
 * <p>The update itself is the engine's fused SGD kernel (one temporary per parameter instead of
 * several; fresh allocations are what an optimizer step costs on CPU). That kernel folds lr into
 * the momentum buffer ({@code s = m * s + lr * d; w -= s}), so the buffers held here are
 * {@code lr * buf} for the lr of the last step, rescaled in place when lr changes (lr is always
 * positive): the same trajectory as torch's form up to float rounding. Checkpoints store these
 * buffers with that lr.
 */
public final class Sgd {

    /** Key of the last step's lr in {@link #state()}. */
    public static final String LR_KEY = "@lr";

    private final Map<String, Parameter> parameters;
    private final double momentum;
    private final double weightDecay;
    private final Double clipNorm;
    private final NDManager stateManager;
    private final Map<String, NDArray> buffers = new LinkedHashMap<>();
    private double bufferLr;
    private NDArray lrHolder; // one array for every checkpoint, so that saving leaks nothing

    /** {@code parameters}: trainable parameters by name; momentum buffers live in {@code stateManager}. */
    public Sgd(
            Map<String, Parameter> parameters,
            double momentum,
            double weightDecay,
            Double clipNorm,
            NDManager stateManager) {
        this.parameters = parameters;
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        this.clipNorm = clipNorm;
        this.stateManager = stateManager;
    }

    /** Applies one update with learning rate {@code lr} (> 0); returns the gradient norm before clipping. */
    public double step(double lr) {
        return step(lr, null);
    }

    /**
     * As {@link #step(double)}, with each parameter's gradient by name ({@code null}: the
     * parameters' own). A non-finite norm leaves the weights alone; the kernel zeroes what it used.
     */
    public double step(double lr, Map<String, NDArray> gradients) {
        if (!(lr > 0)) {
            throw new IllegalArgumentException("learning rate must be positive, got " + lr);
        }
        double norm;
        // results of NDArray ops land in the manager of their operand: temporarily attaching the
        // long-lived weights and buffers to a scratch manager frees every intermediate at its close
        try (NDManager scratch = stateManager.newSubManager()) {
            NDList grads = new NDList();
            for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
                NDArray g = gradients == null ? e.getValue().getArray().getGradient() : gradients.get(e.getKey());
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
            if (momentum != 0 && !buffers.isEmpty() && lr != bufferLr) {
                float rescale = (float) (lr / bufferLr);
                buffers.values().forEach(b -> b.muli(rescale));
            }
            int i = 0;
            for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
                NDArray w = e.getValue().getArray();
                NDList inputs = new NDList(w, grads.get(i++));
                if (momentum != 0) {
                    inputs.add(buffers.computeIfAbsent(
                            e.getKey(), k -> stateManager.zeros(w.getShape(), w.getDataType(), w.getDevice())));
                }
                // clipGrad -1: the kernel's own element-wise clamp is off; it zeroes the gradient afterwards
                w.getNDArrayInternal()
                        .sgdUpdate(
                                inputs,
                                new NDList(w),
                                (float) lr,
                                (float) weightDecay,
                                scale,
                                -1f,
                                (float) momentum,
                                false);
            }
            bufferLr = lr;
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
        return "gradient norm (every gradient is finite but their sum of squares overflows float32; " + largestGradient
                + ")";
    }

    private String largest(NDList grads) {
        double max = -1;
        String where = "";
        int i = 0;
        for (String name : parameters.keySet()) {
            double m = grads.get(i++)
                    .abs()
                    .max()
                    .toType(ai.djl.ndarray.types.DataType.FLOAT64, false)
                    .getDouble();
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
        return ai.djl.ndarray.NDArrays.stack(norms)
                .norm()
                .toType(ai.djl.ndarray.types.DataType.FLOAT64, false)
                .getDouble();
    }

    /** Momentum buffers (lr-scaled, see above) by parameter name, and the lr under {@link #LR_KEY} (for checkpoints). */
    public Map<String, NDArray> state() {
        Map<String, NDArray> state = new LinkedHashMap<>(buffers);
        if (!buffers.isEmpty()) {
            if (lrHolder == null) {
                lrHolder = stateManager.create(new double[] {bufferLr});
            } else {
                lrHolder.set(java.nio.DoubleBuffer.wrap(new double[] {bufferLr}));
            }
            state.put(LR_KEY, lrHolder);
        }
        return state;
    }

    /** Restores momentum buffers saved by {@link #state()}. */
    public void load(Map<String, NDArray> saved) {
        for (String name : saved.keySet()) {
            if (!parameters.containsKey(name) && !name.equals(LR_KEY)) {
                throw new IllegalArgumentException("optimizer state for unknown parameter " + name);
            }
        }
        buffers.values().forEach(NDArray::close);
        buffers.clear();
        if (saved.size() > (saved.containsKey(LR_KEY) ? 1 : 0) && !saved.containsKey(LR_KEY)) {
            throw new org.retinanet.api.registry.UserException("optimizer state without " + LR_KEY
                    + ": the checkpoint was written by an older version of the platform, whose momentum buffers"
                    + " are not lr-scaled; start a new run or resume with the version that wrote it");
        }
        bufferLr = saved.containsKey(LR_KEY)
                ? saved.get(LR_KEY)
                        .toType(ai.djl.ndarray.types.DataType.FLOAT64, false)
                        .getDouble()
                : 0;
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
