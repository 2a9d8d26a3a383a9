package org.retinanet.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.retinanet.api.config.PipelineConfig;
import org.retinanet.api.data.BatchPipeline;
import org.retinanet.api.data.PipelineContext;
import org.retinanet.api.model.CheckpointKeys;
import org.retinanet.api.registry.Registry;
import org.retinanet.api.registry.UserException;
import org.retinanet.experiments.config.Experiment;
import org.retinanet.experiments.config.ModelConfig;
import org.retinanet.experiments.config.Precision;
import org.retinanet.experiments.config.SplitConfig;
import org.retinanet.experiments.model.Detector;
import org.retinanet.experiments.model.DetectorBuilder;
import org.retinanet.experiments.model.DetectorCheckpoint;
import org.retinanet.experiments.train.InferenceWeights;
import org.retinanet.experiments.train.PrecisionPlan;

/**
 * What predict, loss and convert share: the experiment, a detector built from it with the given
 * weights (or the config's {@code model.init}) on the chosen device, and the test-time pipeline.
 */
final class LoadedModel implements AutoCloseable {

    final Registry registry;
    final Experiment experiment;
    final Device device;
    final NDManager manager;
    final Detector detector;
    /** The weights in the precision this command computes in (float32: the weights themselves). */
    final InferenceWeights parameterStore;
    /** The weights' key flavour ({@link CheckpointKeys#TORCHVISION} or {@link CheckpointKeys#MMDET}). */
    final String flavour;

    private LoadedModel(
            Registry registry,
            Experiment experiment,
            Device device,
            NDManager manager,
            Detector detector,
            String flavour,
            Precision precision) {
        this.registry = registry;
        this.experiment = experiment;
        this.device = device;
        this.manager = manager;
        this.detector = detector;
        this.parameterStore = new InferenceWeights(PrecisionPlan.of(precision, detector), manager);
        this.flavour = flavour;
    }

    /**
     * Loads the config (file or preset, with {@code --set} overrides), builds the detector and
     * loads {@code weights} into it ({@code model.init} when weights is null). Load notes go to stderr.
     */
    static LoadedModel open(Registry registry, String config, List<String> overrides, Path weights, String deviceName) {
        return open(registry, config, overrides, weights, deviceName, Precision.FP32);
    }

    /** As above, computing in {@code precision}. */
    static LoadedModel open(
            Registry registry,
            String config,
            List<String> overrides,
            Path weights,
            String deviceName,
            Precision precision) {
        Experiment experiment = Experiment.load(config, overrides, registry);
        ModelConfig model = experiment.config().model();
        String init = weights != null ? weights.toString() : model.init();
        if (init == null || init.isBlank()) {
            throw new UserException("no weights: give --weights FILE (or set model.init in config " + config + ")");
        }
        Path initPath = weights != null ? weights : resolve(experiment, init);
        // built without model.init, then loaded here: one read of the file, and its flavour is known
        ModelConfig withoutInit = new ModelConfig(
                model.numClasses(),
                model.backbone(),
                model.neck(),
                model.head(),
                model.lossCls(),
                model.lossBox(),
                model.normalization(),
                null,
                model.inputSize());
        int numClasses = numClasses(experiment, registry, config);
        Device device = org.retinanet.experiments.train.Devices.parse(
                deviceName != null ? deviceName : experiment.config().device());
        org.retinanet.experiments.engine.ConvPath.ensureCorrectFor(device, precision.dataType());
        NDManager manager = NDManager.newBaseManager(device);
        try {
            DetectorBuilder.Built built =
                    new DetectorBuilder(registry).buildAndInitialize(withoutInit, numClasses, manager);
            built.notes().forEach(n -> System.err.println("retinanet: " + n));
            DetectorCheckpoint.Result loaded = DetectorCheckpoint.load(built.detector(), initPath, manager);
            System.err.println("retinanet: " + loaded.summary());
            return new LoadedModel(
                    registry, experiment, device, manager, built.detector(), loaded.flavour(), precision);
        } catch (RuntimeException | Error e) {
            manager.close();
            throw e;
        }
    }

    /** A relative model.init from a config file resolves against the config's directory, if it exists there. */
    private static Path resolve(Experiment experiment, String init) {
        Path p = Path.of(init);
        if (p.isAbsolute() || java.nio.file.Files.exists(p)) {
            return p;
        }
        Path beside = experiment.baseDir().resolve(p);
        return java.nio.file.Files.exists(beside) ? beside : p;
    }

    private static int numClasses(Experiment experiment, Registry registry, String config) {
        if (experiment.config().model().numClasses() != null) {
            return experiment.config().model().numClasses();
        }
        try {
            return experiment.numClasses(registry);
        } catch (UserException e) {
            throw new UserException(
                    "config " + config + ": model.numClasses is not set and the dataset to count classes"
                            + " from is not readable (" + e.getMessage() + "); add --set model.numClasses=N",
                    e);
        }
    }

    /** The test-time pipeline: the config's data.val pipeline, else the standard one with its defaults. */
    BatchPipeline testPipeline(int batchSize) {
        SplitConfig val = experiment.config().data() == null
                ? null
                : experiment.config().data().val();
        PipelineConfig pipeline = val != null && val.pipeline() != null
                ? val.pipeline()
                : registry.mapper().convertValue(Map.of("type", "standard"), PipelineConfig.class);
        return registry.pipeline(
                pipeline,
                new PipelineContext(
                        false,
                        batchSize,
                        1,
                        experiment.config().seed(),
                        detector.backbone().inputNormalization()));
    }

    boolean torchvisionWeights() {
        return CheckpointKeys.TORCHVISION.equals(flavour);
    }

    @Override
    public void close() {
        manager.close();
    }
}
