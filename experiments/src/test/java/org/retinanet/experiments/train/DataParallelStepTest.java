package org.retinanet.experiments.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.retinanet.api.data.HostBatch;
import org.retinanet.experiments.config.Precision;
import org.retinanet.experiments.model.Detector;

/**
 * Data-parallel arithmetic, checked on the host with two replicas of the CPU: a batch of two
 * images split over two replicas must give the mean of the two images' separate gradients (each
 * normalised by its own positives), which differs from the gradient of the unsplit batch. The
 * second replica computes on leaf copies whose gradients {@link StepWeights#gradients} adds in,
 * the path another GPU takes.
 */
class DataParallelStepTest {

    private static final List<Device> ONE = List.of(Device.cpu());
    private static final List<Device> TWO = List.of(Device.cpu(), Device.cpu());

    @Test
    void twoReplicasAverageThePerShardGradients() {
        try (NDManager model = NDManager.newBaseManager()) {
            TinyDetector tiny = TinyDetector.build(model);
            Detector detector = tiny.detector();
            HostBatch batch = tiny.batch();
            Map<String, Parameter> trainable = tiny.trainable();

            Result parallel = step(detector, batch, TWO, model, trainable);
            Result first = step(detector, batch.split(2).get(0), ONE, model, trainable);
            Result second = step(detector, batch.split(2).get(1), ONE, model, trainable);
            Result whole = step(detector, batch, ONE, model, trainable);

            assertThat(parallel.values.get("loss_cls"))
                    .isCloseTo((first.values.get("loss_cls") + second.values.get("loss_cls")) / 2, within(1e-6));
            double maxRel = 0;
            double maxRelToWhole = 0;
            for (String name : trainable.keySet()) {
                float[] p = parallel.grads.get(name);
                float[] a = first.grads.get(name);
                float[] b = second.grads.get(name);
                float[] w = whole.grads.get(name);
                double scale = 1e-12;
                for (float v : p) {
                    scale = Math.max(scale, Math.abs(v));
                }
                for (int i = 0; i < p.length; i++) {
                    maxRel = Math.max(maxRel, Math.abs(p[i] - (a[i] + b[i]) / 2.0) / scale);
                    maxRelToWhole = Math.max(maxRelToWhole, Math.abs(p[i] - w[i]) / scale);
                }
            }
            assertThat(maxRel)
                    .as("data-parallel gradient vs mean of per-image gradients")
                    .isLessThan(1e-4);
            // the check can tell: one batch of two normalises by the positives of both images together
            assertThat(maxRelToWhole)
                    .as("data-parallel gradient vs unsplit batch")
                    .isGreaterThan(1e-2);
        }
    }

    private record Result(Map<String, Double> values, Map<String, float[]> grads) {}

    /** One forward/backward; returns the losses and the gradients, then zeroes the gradients. */
    private static Result step(
            Detector detector,
            HostBatch batch,
            List<Device> devices,
            NDManager model,
            Map<String, Parameter> trainable) {
        Map<String, float[]> grads = new LinkedHashMap<>();
        Map<String, Double> values;
        try (NDManager step = model.newSubManager()) {
            StepWeights weights = new StepWeights(PrecisionPlan.of(Precision.FP32, detector), step);
            values = DataParallelStep.forwardBackward(
                            detector, batch, devices, weights, 1f, step, TinyDetector::hostValues)
                    .values();
            weights.gradients(trainable, 1f).forEach((k, g) -> grads.put(k, g.toFloatArray()));
            trainable.forEach((k, p) -> {
                NDArray g = p.getArray().getGradient();
                g.subi(g);
                g.close();
            });
        }
        return new Result(values, grads);
    }
}
