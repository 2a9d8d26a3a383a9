package org.retinanet.experiments.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
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
import org.retinanet.experiments.model.Detector;
import org.retinanet.experiments.model.DetectorBuilder;

/**
 * A small detector's forward and backward on a device against the same detector, with the same
 * weights and batch, on the host: the losses and every parameter's gradient. What a user with a
 * GPU runs (through {@code retinanet doctor}) to know the GPU path computes what the host does.
 */
public final class DetectorDeviceCheck {

    /** Loss components within this relative difference. */
    public static final double LOSS_TOLERANCE = 1e-4;
    /** Each gradient within this fraction of its parameter's largest gradient (float32 sums in another order). */
    public static final double GRADIENT_TOLERANCE = 1e-3;

    /** The largest differences found, and where. */
    public record Result(double lossError, double gradientError, String worstParameter, int parameters) {

        public boolean ok() {
            return lossError < LOSS_TOLERANCE && gradientError < GRADIENT_TOLERANCE;
        }

        public String summary() {
            return String.format(
                    "%s: losses within %.1e (tolerance %.0e), gradients of %d parameters within %.1e"
                            + " (tolerance %.0e; worst %s)",
                    ok() ? "ok" : "DIFFERENT",
                    lossError,
                    LOSS_TOLERANCE,
                    parameters,
                    gradientError,
                    GRADIENT_TOLERANCE,
                    worstParameter);
        }
    }

    private DetectorDeviceCheck() {}

    public static Result run(Registry registry, Device device) {
        Experiment e = Experiment.load(
                "retinanet_r18_fpn_shapes",
                List.of(
                        "model.neck.outChannels=32",
                        "model.head.featChannels=32",
                        "data.train.dataset.numImages=2",
                        "data.train.pipeline.flipProbability=0.0",
                        "data.train.batchSize=2",
                        "data.train.workers=1"),
                registry);
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
            Step a = step(host, hostParams, batch, hostManager, Device.cpu());
            Step b = step(onDevice, deviceParams, batch, deviceManager, device);
            double lossError = 0;
            for (Map.Entry<String, Double> l : a.losses().entrySet()) {
                double other = b.losses().get(l.getKey());
                lossError =
                        Math.max(lossError, Math.abs(l.getValue() - other) / Math.max(1e-12, Math.abs(l.getValue())));
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
            return new Result(lossError, gradientError, worst, a.gradients().size());
        }
    }

    private record Step(Map<String, Double> losses, Map<String, float[]> gradients) {}

    private static Step step(
            Detector detector, Map<String, Parameter> params, HostBatch batch, NDManager manager, Device device) {
        Map<String, Double> losses = new LinkedHashMap<>();
        Map<String, float[]> gradients = new LinkedHashMap<>();
        try (NDManager step = manager.newSubManager(device);
                GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            LossOutput out = detector.loss(new ParameterStore(step, false), batch.toDevice(step, device), true);
            NDArray total = null;
            for (Map.Entry<String, NDArray> c : out.components().entrySet()) {
                losses.put(
                        c.getKey(), c.getValue().toType(DataType.FLOAT64, false).getDouble());
                total = total == null ? c.getValue() : total.add(c.getValue());
            }
            gc.backward(total);
            params.forEach((k, p) -> {
                if (p.requiresGradient() && p.getArray().hasGradient()) {
                    gradients.put(
                            k,
                            p.getArray()
                                    .getGradient()
                                    .toDevice(Device.cpu(), false)
                                    .toFloatArray());
                }
            });
        }
        return new Step(losses, gradients);
    }
}
