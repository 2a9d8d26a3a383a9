package org.retinanet.experiments.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import org.retinanet.api.registry.Registry;
import org.retinanet.api.registry.UserException;
import org.retinanet.experiments.config.Experiment;
import org.retinanet.experiments.engine.ConvPath;
import org.retinanet.experiments.engine.ConvSelfCheck;
import org.retinanet.experiments.model.DetectorBuilder;
import org.retinanet.experiments.train.Devices;

/**
 * Builds the detector of a config (random weights unless the config loads some) in its own base
 * NDManager and benchmarks it; everything is freed before returning, so one process can measure
 * several models in turn.
 */
public final class BenchRunner {

    /** Class count when neither the config nor a readable dataset gives one: COCO's. */
    static final int FALLBACK_CLASSES = 80;

    private final Registry registry;

    public BenchRunner(Registry registry) {
        this.registry = registry;
    }

    /** The engine's intra-op thread count, after applying {@code threads} when given (PyTorch only). */
    public static int intraOpThreads(Integer threads) {
        Engine engine = Engine.getInstance();
        boolean pytorch = "PyTorch".equals(engine.getEngineName());
        if (threads != null) {
            if (threads < 1) {
                throw new UserException("--threads must be >= 1, got " + threads);
            }
            if (!pytorch) {
                throw new UserException(
                        "--threads: only the PyTorch engine is supported, this is " + engine.getEngineName());
            }
            ai.djl.pytorch.jni.JniUtils.setNumThreads(threads);
        }
        return pytorch ? ai.djl.pytorch.jni.JniUtils.getNumThreads() : -1;
    }

    public BenchResult run(
            String configOrPreset,
            List<String> overrides,
            BenchSettings settings,
            String deviceName,
            int intraOpThreads) {
        return run(Experiment.load(configOrPreset, overrides, registry), settings, deviceName, intraOpThreads);
    }

    public BenchResult run(Experiment experiment, BenchSettings settings, String deviceName, int intraOpThreads) {
        List<String> notes = new ArrayList<>();
        Device device = Devices.parse(
                deviceName != null ? deviceName : experiment.config().device());
        ConvPath.Choice conv = ConvPath.ensureCorrectFor(device);
        if (conv != null) {
            notes.add("convolutions: " + conv.path() + " (" + ConvPath.isaCap() + ")");
        }
        ConvSelfCheck.Result half =
                ConvPath.ensureCorrectFor(device, settings.precision().dataType());
        if (half != null) {
            notes.add("convolutions in " + settings.precision() + ": " + half.summary());
        }
        int numClasses = numClasses(experiment, notes);
        MemoryProbe.resetPeak();
        Engine.getInstance().setRandomSeed((int) settings.seed());
        try (NDManager manager = NDManager.newBaseManager(device)) {
            DetectorBuilder.Built built = new DetectorBuilder(registry)
                    .buildAndInitialize(experiment.config().model(), numClasses, manager);
            notes.addAll(built.notes());
            if (built.notes().isEmpty() && experiment.config().model().init() == null) {
                notes.add("random weights");
            }
            DetectorBench bench = new DetectorBench(
                    built.detector(),
                    manager,
                    device,
                    numClasses,
                    settings,
                    experiment.config().train());
            return bench.run(experiment.config().name(), intraOpThreads, notes);
        }
    }

    private int numClasses(Experiment experiment, List<String> notes) {
        Integer configured = experiment.config().model().numClasses();
        if (configured != null) {
            return configured;
        }
        try {
            return experiment.numClasses(registry);
        } catch (UserException e) {
            notes.add("model.numClasses is not set and the dataset is not readable: measured with " + FALLBACK_CLASSES
                    + " classes (COCO); --set model.numClasses=N to change");
            return FALLBACK_CLASSES;
        }
    }
}
