package org.retinanet.experiments.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.retinanet.api.data.HostBatch;
import org.retinanet.api.model.LossOutput;
import org.retinanet.experiments.model.Detector;

/**
 * Forward and backward of one batch split into a shard per device (one shard on one device), in
 * the precision of the {@link StepWeights}, with the loss multiplied by the loss scale.
 * Each shard's loss is normalised by its own positives, as mmdetection's per-GPU avg_factor is,
 * and scaled by 1 / shards, so the weights' gradients are the mean over shards, as
 * DistributedDataParallel's all-reduce makes them. Shards run one after another on the calling
 * thread: DJL's gradient collector is global, and CUDA launches are asynchronous anyway.
 */
public final class DataParallelStep {

    /** Shard 0's output (for diagnostics) and image count, and the shards' mean loss components. */
    public record Outcome(LossOutput first, int firstImages, Map<String, Double> values) {}

    private DataParallelStep() {}

    /**
     * {@code lossValues} reads a shard's loss components to the host (and may reject them) before
     * its backward pass; everything lives in {@code step} and its children. The gradients are then
     * in the weights and in {@code weights}' copies: {@link StepWeights#gradients} gathers them.
     */
    public static Outcome forwardBackward(
            Detector detector,
            HostBatch host,
            List<Device> devices,
            StepWeights weights,
            float lossScale,
            NDManager step,
            Function<LossOutput, Map<String, Double>> lossValues) {
        List<HostBatch> shards = host.split(devices.size());
        int n = shards.size();
        Map<String, Double> mean = new LinkedHashMap<>();
        LossOutput first = null;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            for (int s = 0; s < n; s++) {
                Device device = devices.get(s);
                NDManager shardManager = s == 0 ? step : step.newSubManager(device);
                weights.use(s, shardManager);
                LossOutput out = detector.loss(
                        weights, shards.get(s).toDevice(shardManager, device), true, weights.computeType());
                lossValues.apply(out).forEach((k, v) -> mean.merge(k, v / n, Double::sum));
                NDArray total = n == 1 ? out.total() : out.total().div(n);
                gc.backward(lossScale == 1f ? total : total.mul(lossScale));
                first = first == null ? out : first;
            }
        }
        return new Outcome(first, shards.get(0).size(), mean);
    }
}
