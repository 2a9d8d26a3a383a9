package org.retinanet.experiments.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.retinanet.api.data.HostBatch;
import org.retinanet.api.model.DetectionBatch;
import org.retinanet.api.model.HeadOutput;
import org.retinanet.api.model.LossOutput;
import org.retinanet.api.model.TorchNames;
import org.retinanet.experiments.config.TrainConfig;
import org.retinanet.experiments.model.Detector;
import org.retinanet.experiments.train.InferenceWeights;
import org.retinanet.experiments.train.LossScaler;
import org.retinanet.experiments.train.PrecisionPlan;
import org.retinanet.experiments.train.Sgd;
import org.retinanet.experiments.train.StepWeights;

/**
 * Times training or inference steps of one detector on synthetic batches. Each step runs in its
 * own child NDManager. The phases are timed by doing what {@link Detector#loss} and
 * {@link Detector#detect} do in separate calls (forward, then the head's loss or detect), so the
 * split needs no hooks in the model. On a GPU every phase ends with a tiny device-to-host read so
 * that asynchronous kernels are charged to the phase that launched them; on CPU the engine is
 * synchronous and nothing is added.
 */
public final class DetectorBench {

    private final Detector detector;
    private final Device device;
    private final NDManager manager;
    private final int numClasses;
    private final BenchSettings settings;
    private final TrainConfig train;
    private LossScaler scaler;
    private Map<String, Parameter> trainable;

    /**
     * @param detector an initialised detector whose parameters live in {@code manager}
     * @param train the experiment's optimizer settings (momentum, weight decay, clipping)
     */
    public DetectorBench(
            Detector detector,
            NDManager manager,
            Device device,
            int numClasses,
            BenchSettings settings,
            TrainConfig train) {
        this.detector = detector;
        this.manager = manager;
        this.device = device;
        this.numClasses = numClasses;
        this.settings = settings;
        this.train = train;
    }

    /** Runs warmup and timed steps and summarises them. */
    public BenchResult run(String configName, int intraOpThreads, List<String> notes) {
        MachineInfo machine = MachineInfo.now(
                intraOpThreads,
                Engine.getInstance().getEngineName() + " "
                        + Engine.getInstance().getVersion());
        SyntheticBatches data = new SyntheticBatches(settings, numClasses);
        InferenceWeights ps = new InferenceWeights(PrecisionPlan.of(settings.precision(), detector), manager);
        trainable = trainable();
        Sgd sgd = settings.mode() == BenchSettings.Mode.TRAIN
                ? new Sgd(trainable, train.momentum(), train.weightDecay(), train.gradClipNorm(), manager)
                : null;
        scaler = settings.precision().needsLossScale() ? new LossScaler(train.lossScale(), manager) : null;
        DeviceMemory deviceMemory = new DeviceMemory(device);
        int nonFinite = 0;
        for (int i = 0; i < settings.warmup(); i++) {
            step(data.next(), ps, sgd, deviceMemory);
        }
        long rssAfterWarmup = MemoryProbe.rssBytes();
        int arraysAfterWarmup = manager.getManagedArrays().size();
        List<Map<Phase, Long>> timed = new ArrayList<>();
        long[] totals = new long[settings.steps()];
        Long rssEarly = null;
        Long heapEarly = null;
        for (int i = 0; i < settings.steps(); i++) {
            long t0 = System.nanoTime();
            StepOutcome outcome = step(data.next(), ps, sgd, deviceMemory);
            totals[i] = System.nanoTime() - t0;
            outcome.phases()
                    .put(
                            Phase.OTHER,
                            totals[i]
                                    - outcome.phases().values().stream()
                                            .mapToLong(Long::longValue)
                                            .sum());
            timed.add(outcome.phases());
            nonFinite += outcome.finite() ? 0 : 1;
            if (i + 1 == BenchSettings.EARLY_STEP) {
                rssEarly = MemoryProbe.rssBytes();
                heapEarly = MemoryProbe.heapCommittedBytes();
            }
        }
        long rssEnd = MemoryProbe.rssBytes();
        return summarise(
                configName,
                timed,
                totals,
                rssAfterWarmup,
                rssEarly,
                heapEarly,
                rssEnd,
                new int[] {arraysAfterWarmup, manager.getManagedArrays().size()},
                deviceMemory,
                nonFinite,
                machine,
                notes);
    }

    private record StepOutcome(Map<Phase, Long> phases, boolean finite) {}

    private StepOutcome step(HostBatch host, InferenceWeights ps, Sgd sgd, DeviceMemory deviceMemory) {
        Map<Phase, Long> phases = new EnumMap<>(Phase.class);
        boolean finite = true;
        try (NDManager step = manager.newSubManager(device)) {
            long t = System.nanoTime();
            DetectionBatch batch = host.toDevice(step, device);
            sync(batch.images());
            t = mark(phases, Phase.DATA, t);
            PrecisionPlan plan = ps.plan();
            DataType compute = plan.computeType();
            if (sgd == null) {
                HeadOutput outputs = detector.headOutput(ps, batch, false, compute);
                sync(outputs.arrays().get(0));
                deviceMemory.sample();
                t = mark(phases, Phase.FORWARD, t);
                detector.head().detect(outputs, batch.metas());
                mark(phases, Phase.POSTPROCESS, t);
            } else {
                // as a training step does it (TrainingRun): weights for this step, the loss scaled
                StepWeights weights = new StepWeights(plan, step);
                float lossScale = scaler == null ? 1f : scaler.scale();
                LossOutput loss;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    HeadOutput outputs = detector.headOutput(weights, batch, true, compute);
                    sync(outputs.arrays().get(0));
                    deviceMemory.sample();
                    t = mark(phases, Phase.FORWARD, t);
                    loss = detector.head().loss(outputs, batch);
                    // reading the total is the sync point, and what a trainer reads anyway
                    finite = Double.isFinite(
                            loss.total().toType(DataType.FLOAT64, false).getDouble());
                    t = mark(phases, Phase.LOSS, t);
                    gc.backward(lossScale == 1f ? loss.total() : loss.total().mul(lossScale));
                    deviceMemory.sample();
                }
                t = mark(phases, Phase.BACKWARD, t);
                // syncs: reads the gradient norm
                double norm = sgd.step(settings.lr(), weights.gradients(trainable, 1f / lossScale));
                if (scaler != null) {
                    scaler.record(norm, weights, trainable);
                } else {
                    finite &= Double.isFinite(norm);
                }
                mark(phases, Phase.OPTIMIZER, t);
            }
        }
        return new StepOutcome(phases, finite);
    }

    private static long mark(Map<Phase, Long> phases, Phase phase, long since) {
        long now = System.nanoTime();
        phases.merge(phase, now - since, Long::sum);
        return now;
    }

    /** Waits for the kernels producing {@code a} on a GPU (one element to the host); nothing on CPU. */
    private void sync(NDArray a) {
        if (device.isGpu()) {
            try (NDManager m = a.getManager().newSubManager()) {
                NDArray one = a.flatten().get(0);
                one.attach(m);
                one.toFloatArray();
            }
        }
    }

    private Map<String, Parameter> trainable() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        TorchNames.parameters(detector).forEach((k, p) -> {
            if (p.requiresGradient() && p.getArray().hasGradient()) {
                out.put(k, p);
            }
        });
        return out;
    }

    private BenchResult summarise(
            String configName,
            List<Map<Phase, Long>> timed,
            long[] totals,
            long rssAfterWarmup,
            Long rssEarly,
            Long heapEarly,
            long rssEnd,
            int[] arrays,
            DeviceMemory deviceMemory,
            int nonFinite,
            MachineInfo machine,
            List<String> notes) {
        double[] stepMs = new double[totals.length];
        for (int i = 0; i < totals.length; i++) {
            stepMs[i] = totals[i] / 1e6;
        }
        Percentiles step = Percentiles.of(stepMs);
        Map<String, BenchResult.PhaseTime> phases = new LinkedHashMap<>();
        double hostShare = 0;
        for (Phase p : Phase.values()) {
            if (timed.stream().noneMatch(m -> m.containsKey(p))) {
                continue;
            }
            double[] ms =
                    timed.stream().mapToDouble(m -> m.getOrDefault(p, 0L) / 1e6).toArray();
            Percentiles pp = Percentiles.of(ms);
            double share = pp.mean() / step.mean();
            phases.put(p.key(), new BenchResult.PhaseTime(pp.median(), pp.mean(), share));
            if (p == Phase.DATA || p == Phase.LOSS || p == Phase.POSTPROCESS) {
                hostShare += share;
            }
        }
        long parameters = detector.parameterCounts().values().stream()
                .mapToLong(Long::longValue)
                .sum();
        Double growth = rssEarly == null || rssEarly <= 0 ? null : (rssEnd - rssEarly) / (double) rssEarly;
        BenchResult.Memory memory = new BenchResult.Memory(
                mib(MemoryProbe.peakRssBytes()),
                mib(rssAfterWarmup),
                rssEarly == null ? null : mib(rssEarly),
                mib(rssEnd),
                growth,
                deviceMemory.peakMib(),
                heapEarly == null ? null : mib(heapEarly),
                mib(MemoryProbe.heapCommittedBytes()),
                arrays[0],
                arrays[1]);
        return new BenchResult(
                configName,
                settings.mode().name().toLowerCase(),
                device.toString(),
                settings.height(),
                settings.width(),
                settings.paddedHeight(),
                settings.paddedWidth(),
                settings.batch(),
                settings.steps(),
                settings.warmup(),
                numClasses,
                parameters,
                step,
                settings.batch() / (step.median() / 1e3),
                phases,
                hostShare,
                memory,
                nonFinite,
                machine,
                MachineInfo.currentLoadAverage(),
                List.copyOf(notes),
                settings.precision().toString());
    }

    private static double mib(long bytes) {
        return bytes < 0 ? -1 : bytes / (1024.0 * 1024.0);
    }

    /** Peak of the device memory samples (GPU only). */
    private static final class DeviceMemory {
        private final Device device;
        private long peak = -1;

        DeviceMemory(Device device) {
            this.device = device;
        }

        void sample() {
            if (device.isGpu()) {
                peak = Math.max(peak, MemoryProbe.deviceUsedBytes(device));
            }
        }

        Double peakMib() {
            return peak < 0 ? null : mib(peak);
        }
    }
}
