package org.retinanet.experiments.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.retinanet.api.data.BatchIterator;
import org.retinanet.api.data.HostBatch;
import org.retinanet.api.data.PipelineContext;
import org.retinanet.api.model.LossOutput;
import org.retinanet.api.model.TorchNames;
import org.retinanet.api.nn.TensorCopy;
import org.retinanet.api.registry.Registry;
import org.retinanet.experiments.config.Experiment;
import org.retinanet.experiments.config.Precision;
import org.retinanet.experiments.model.Detector;
import org.retinanet.experiments.model.DetectorBuilder;
import org.retinanet.experiments.train.DataParallelStep;
import org.retinanet.experiments.train.PrecisionPlan;
import org.retinanet.experiments.train.StepWeights;

/**
 * A small detector's forward and backward on a device against the same detector, with the same
 * weights and batch, on the host: the losses and every parameter's gradient. What a user with a
 * GPU runs (through {@code retinanet doctor}) to know the GPU path computes what the host does,
 * in float32 ({@link #run}) and in fp16 or bf16 mixed precision against the host's float32
 * ({@link #runHalf}).
 */
public final class DetectorDeviceCheck {

    /** Loss components within this relative difference. */
    public static final double LOSS_TOLERANCE = 1e-4;
    /** Each gradient within this fraction of its parameter's largest gradient (float32 sums in another order). */
    public static final double GRADIENT_TOLERANCE = 1e-3;
    /** fp16: loss components within this relative difference of float32's (measured on a CPU: 4e-4). */
    public static final double FP16_LOSS_TOLERANCE = 2e-3;
    /** fp16: relative L2 error of all gradients against float32's (measured on a CPU: 0.049; MixedPrecisionStepTest). */
    public static final double FP16_GRADIENT_TOLERANCE = 0.1;
    /** bf16 (8 mantissa bits to fp16's 11): loss components (measured on a CPU: 1.2e-3). */
    public static final double BF16_LOSS_TOLERANCE = 1e-2;
    /** bf16: relative L2 error of all gradients (measured on a CPU: 0.136; MixedPrecisionStepTest). */
    public static final double BF16_GRADIENT_TOLERANCE = 0.3;

    /** The largest differences found, and where, against the tolerances that apply. */
    public record Result(
            String precision,
            double lossError,
            double lossTolerance,
            double gradientError,
            double gradientTolerance,
            String gradientMeasure,
            String worstParameter,
            int parameters) {

        public boolean ok() {
            return lossError < lossTolerance && gradientError < gradientTolerance;
        }

        public String summary() {
            return String.format(
                    "%s (%s): losses within %.1e (tolerance %.0e), gradients of %d parameters: %s %.1e"
                            + " (tolerance %.0e; worst %s)",
                    ok() ? "ok" : "DIFFERENT",
                    precision,
                    lossError,
                    lossTolerance,
                    parameters,
                    gradientMeasure,
                    gradientError,
                    gradientTolerance,
                    worstParameter);
        }
    }

    private DetectorDeviceCheck() {}

    /** The float32 step on {@code device} against the host's. */
    public static Result run(Registry registry, Device device) {
        return run(registry, device, Precision.FP32);
    }

    /**
     * The fp16 (loss scale 1024, gradients unscaled) or bf16 mixed-precision step on {@code device}
     * against the host's float32 step. The box loss is Huber with beta 1 here: L1's gradient is a
     * sign, which flips wherever prediction and target are within half's rounding, and would hide
     * the comparison.
     */
    public static Result runHalf(Registry registry, Device device, Precision precision) {
        if (!precision.isHalf()) {
            throw new IllegalArgumentException("runHalf compares a half precision, not " + precision);
        }
        return run(registry, device, precision);
    }

    private static Result run(Registry registry, Device device, Precision precision) {
        List<String> settings = new java.util.ArrayList<>(List.of(
                "model.neck.outChannels=32",
                "model.head.featChannels=32",
                "data.train.dataset.numImages=2",
                "data.train.pipeline.flipProbability=0.0",
                "data.train.batchSize=2",
                "data.train.workers=1"));
        if (precision.isHalf()) {
            settings.add("model.lossBox={type: smooth_l1, beta: 1.0}");
        }
        Experiment e = Experiment.load("retinanet_r18_fpn_shapes", settings, registry);
        try (NDManager hostManager = NDManager.newBaseManager(Device.cpu());
                NDManager deviceManager = NDManager.newBaseManager(device)) {
            Engine.getInstance().setRandomSeed(0);
            Detector host = new DetectorBuilder(registry)
                    .buildAndInitialize(e.config().model(), 4, hostManager)
                    .detector();
            Detector onDevice = new DetectorBuilder(registry)
                    .buildAndInitialize(e.config().model(), 4, deviceManager)
                    .detector();
            Map<String, Parameter> hostParams = TorchNames.parameters(host);
            Map<String, Parameter> deviceParams = TorchNames.parameters(onDevice);
            deviceParams.forEach(
                    (k, p) -> TensorCopy.into(p.getArray(), hostParams.get(k).getArray()));
            HostBatch batch;
            var split = e.config().data().train();
            var pipeline = registry.pipeline(
                    split.pipeline(),
                    new PipelineContext(true, 2, 1, 0, host.backbone().inputNormalization()));
            try (BatchIterator batches = pipeline.epoch(e.trainDataset(registry), 0, 0)) {
                batch = batches.next();
            }
            Step a = step(host, hostParams, batch, hostManager, Device.cpu(), Precision.FP32);
            Step b = step(onDevice, deviceParams, batch, deviceManager, device, precision);
            double lossError = 0;
            for (Map.Entry<String, Double> l : a.losses().entrySet()) {
                double other = b.losses().get(l.getKey());
                lossError =
                        Math.max(lossError, Math.abs(l.getValue() - other) / Math.max(1e-12, Math.abs(l.getValue())));
            }
            if (precision.isHalf()) {
                return halfResult(precision, a, b, lossError);
            }
            double gradientError = 0;
            String worst = "-";
            for (Map.Entry<String, float[]> g : a.gradients().entrySet()) {
                float[] x = g.getValue();
                float[] y = b.gradients().get(g.getKey());
                double scale = 1e-12;
                for (float v : x) {
                    scale = Math.max(scale, Math.abs(v));
                }
                for (int i = 0; i < x.length; i++) {
                    double err = Double.isFinite(y[i]) ? Math.abs(x[i] - y[i]) / scale : Double.POSITIVE_INFINITY;
                    if (err > gradientError) {
                        gradientError = err;
                        worst = g.getKey();
                    }
                }
            }
            return new Result(
                    "fp32",
                    lossError,
                    LOSS_TOLERANCE,
                    gradientError,
                    GRADIENT_TOLERANCE,
                    "each within its largest by",
                    worst,
                    a.gradients().size());
        }
    }

    /** Relative L2 error over all gradients; the worst parameter by its own relative L2 error. */
    private static Result halfResult(Precision precision, Step full, Step half, double lossError) {
        double diff = 0;
        double norm = 0;
        double worstError = -1;
        String worst = "-";
        for (Map.Entry<String, float[]> g : full.gradients().entrySet()) {
            float[] x = g.getValue();
            float[] y = half.gradients().get(g.getKey());
            double d = 0;
            double n = 0;
            for (int i = 0; i < x.length; i++) {
                double e = Double.isFinite(y[i]) ? x[i] - (double) y[i] : Double.POSITIVE_INFINITY;
                d += e * e;
                n += x[i] * (double) x[i];
            }
            diff += d;
            norm += n;
            double own = n > 0 ? Math.sqrt(d / n) : (d > 0 ? Double.POSITIVE_INFINITY : 0);
            if (own > worstError) {
                worstError = own;
                worst = g.getKey();
            }
        }
        double error = norm > 0 ? Math.sqrt(diff / norm) : Double.POSITIVE_INFINITY;
        boolean fp16 = precision == Precision.FP16;
        return new Result(
                precision + " vs host fp32",
                lossError,
                fp16 ? FP16_LOSS_TOLERANCE : BF16_LOSS_TOLERANCE,
                error,
                fp16 ? FP16_GRADIENT_TOLERANCE : BF16_GRADIENT_TOLERANCE,
                "relative L2 error",
                worst,
                full.gradients().size());
    }

    private record Step(Map<String, Double> losses, Map<String, float[]> gradients) {}

    /** One step as training runs it (its weights, the loss scaled in fp16), the gradients unscaled. */
    private static Step step(
            Detector detector,
            Map<String, Parameter> params,
            HostBatch batch,
            NDManager manager,
            Device device,
            Precision precision) {
        Map<String, float[]> gradients = new LinkedHashMap<>();
        float scale = precision.needsLossScale() ? 1024f : 1f;
        Map<String, Parameter> trainable = new LinkedHashMap<>();
        params.forEach((k, p) -> {
            if (p.requiresGradient() && p.getArray().hasGradient()) {
                trainable.put(k, p);
            }
        });
        Map<String, Double> losses;
        try (NDManager step = manager.newSubManager(device)) {
            StepWeights weights = new StepWeights(PrecisionPlan.of(precision, detector), step);
            losses = DataParallelStep.forwardBackward(
                            detector, batch, List.of(device), weights, scale, step, DetectorDeviceCheck::hostValues)
                    .values();
            weights.gradients(trainable, 1f / scale)
                    .forEach((k, g) ->
                            gradients.put(k, g.toDevice(Device.cpu(), false).toFloatArray()));
            // the kernel that zeroes gradients is the optimizer's; these weights take no step
            trainable.values().forEach(p -> {
                NDArray g = p.getArray().getGradient();
                TensorCopy.into(g, g.zerosLike());
            });
        }
        return new Step(losses, gradients);
    }

    private static Map<String, Double> hostValues(LossOutput out) {
        Map<String, Double> values = new LinkedHashMap<>();
        out.components()
                .forEach((k, v) ->
                        values.put(k, v.toType(DataType.FLOAT64, false).getDouble()));
        return values;
    }
}
