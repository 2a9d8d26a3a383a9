package org.retinanet.experiments.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.retinanet.api.config.HookConfig;
import org.retinanet.api.data.BatchPipeline;
import org.retinanet.api.data.CocoResultsJson;
import org.retinanet.api.data.Detection;
import org.retinanet.api.data.DetectionDataset;
import org.retinanet.api.data.EvaluationResult;
import org.retinanet.api.data.HostBatch;
import org.retinanet.api.data.PipelineContext;
import org.retinanet.api.model.LossOutput;
import org.retinanet.api.model.TorchNames;
import org.retinanet.api.nn.TensorCopy;
import org.retinanet.api.registry.Registry;
import org.retinanet.api.registry.UserException;
import org.retinanet.experiments.config.Experiment;
import org.retinanet.experiments.config.ExperimentConfig;
import org.retinanet.experiments.config.Precision;
import org.retinanet.experiments.config.SplitConfig;
import org.retinanet.experiments.config.TrainConfig;
import org.retinanet.experiments.engine.ConvPath;
import org.retinanet.experiments.engine.Determinism;
import org.retinanet.experiments.model.Detector;
import org.retinanet.experiments.model.DetectorBuilder;
import org.retinanet.experiments.run.PlatformVersion;
import org.retinanet.experiments.run.RunDirectory;
import org.retinanet.experiments.run.RunRecord;
import org.retinanet.experiments.train.hooks.CheckpointHook;
import org.retinanet.experiments.train.hooks.Checkpointer;
import org.retinanet.experiments.train.hooks.EvaluationHook;
import org.retinanet.experiments.train.hooks.LrScheduleHook;
import org.retinanet.experiments.train.hooks.NonFiniteGuardHook;
import org.retinanet.experiments.train.hooks.ProgressHook;
import org.retinanet.experiments.train.hooks.ScalarLogHook;
import org.retinanet.experiments.train.hooks.StopSignalHook;

/**
 * One training run in one run directory: builds everything from the experiment, resumes from
 * the latest checkpoint when asked, trains with a child NDManager per step, checkpoints
 * atomically, evaluates periodically and at the end, and keeps {@code manifest.json} current.
 */
public final class TrainingRun {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Registry registry;
    private final Experiment experiment;
    private final Path runDir;
    private final Options options;
    private RunManifest runManifest;
    /** What the run computes in on its first device: {@code train.precision}, or {@code precisionOnCpu} on a CPU. */
    private Precision precision;

    private DetectionDataset valSet;

    /**
     * Command-line choices that are not part of the experiment config. {@code replicas}: data-parallel
     * devices from {@code device} on (see {@link Devices#dataParallel}); the config's batch size is per
     * device, as mmdetection's samples_per_gpu.
     */
    public record Options(
            boolean resume,
            Long maxIters,
            String device,
            int replicas,
            Progress.Mode progress,
            RunLogFactory logs,
            StopRequest stop,
            List<String> commandLine) {

        public Options(
                boolean resume,
                Long maxIters,
                String device,
                int replicas,
                Progress.Mode progress,
                RunLogFactory logs) {
            this(resume, maxIters, device, replicas, progress, logs, StopRequest.NEVER);
        }

        public Options(
                boolean resume,
                Long maxIters,
                String device,
                int replicas,
                Progress.Mode progress,
                RunLogFactory logs,
                StopRequest stop) {
            this(resume, maxIters, device, replicas, progress, logs, stop, List.of());
        }
    }

    /** Creates the run's log (TensorBoard) for a run directory. */
    public interface RunLogFactory {
        RunLog open(Path runDir) throws IOException;
    }

    /** What a finished run produced. */
    public record Result(long iterations, EvaluationResult evaluation, List<Double> losses) {}

    public TrainingRun(Registry registry, Experiment experiment, Path runDir, Options options) {
        this.registry = registry;
        this.experiment = experiment;
        this.runDir = runDir;
        this.options = options;
    }

    public Result run() throws IOException {
        ExperimentConfig cfg = experiment.config();
        List<Device> devices =
                Devices.dataParallel(options.device() != null ? options.device() : cfg.device(), options.replicas());
        if (Files.exists(runDir) && !Files.isDirectory(runDir)) {
            throw new UserException("--work-dir " + runDir + " is a file, not a directory");
        }
        precision = cfg.train().precisionOn(devices.get(0));
        if (options.resume()) {
            checkResumable(cfg.data().train().batchSize() * devices.size(), precision);
            checkSameConfig();
        } else {
            refuseToOverwrite();
        }
        ConvPath.ensureCorrectFor(devices.get(0), precision.dataType());
        // nothing in the run directory changes before its lock is held
        try (RunDirectory.Lock lock = new RunDirectory(runDir).lock()) {
            return run(cfg, devices);
        }
    }

    private Result run(ExperimentConfig cfg, List<Device> devices) throws IOException {
        // libtorch's switches are per process: set for this run, as they were afterwards
        try (Determinism determinism = Determinism.apply(cfg.train().deterministic())) {
            return run(cfg, devices, determinism);
        }
    }

    private Result run(ExperimentConfig cfg, List<Device> devices, Determinism determinism) throws IOException {
        prepareRunDirectory();
        RunManifest manifest = RunManifest.start(
                runDir,
                cfg.name(),
                cfg.seed(),
                devices.stream().map(Device::toString).collect(java.util.stream.Collectors.joining(",")),
                PlatformVersion.get());
        ObjectNode environment = RunRecord.environment(options.commandLine(), registry);
        ConvPath.Choice conv = ConvPath.current();
        if (conv != null) {
            ObjectNode engine = (ObjectNode) environment.get("engine");
            engine.put("convolutions", conv.path());
            engine.put("convolutionsWhy", conv.reason());
            var half = ConvPath.halfCheck(precision.dataType());
            if (half != null) {
                engine.put("convolutionsHalf", half.summary());
            }
        }
        ((ObjectNode) environment.get("engine")).set("determinism", determinism.state());
        manifest.record("environment", environment);
        runManifest = manifest;
        long started = System.nanoTime();
        try (RunLog log = options.logs().open(runDir)) {
            try {
                Result r = train(cfg, devices, manifest, log);
                manifest.finish(RunManifest.FINISHED, null, (System.nanoTime() - started) / 1e9);
                log.sessionEnd(true);
                return r;
            } catch (TrainingStoppedException e) {
                // not the session's end: the resumed run continues it
                manifest.finish(RunManifest.STOPPED, e.getMessage(), (System.nanoTime() - started) / 1e9);
                throw e;
            } catch (TrainingFailedException | UserException e) {
                manifest.finish(RunManifest.FAILED, e.getMessage(), (System.nanoTime() - started) / 1e9);
                log.sessionEnd(false);
                throw e;
            } catch (RuntimeException | IOException | Error e) {
                manifest.finish(RunManifest.FAILED, e.toString(), (System.nanoTime() - started) / 1e9);
                log.sessionEnd(false);
                throw e;
            }
        }
    }

    /** Why a CPU run computes in another precision than a GPU's, and what this CPU has. */
    private static String cpuPrecisionReason(Precision onCpu) {
        boolean bf16 = RunRecord.cpuHasBfloat16Kernels();
        String here = bf16 ? "this CPU has them" : "this CPU has neither";
        return onCpu == Precision.BF16
                ? "libtorch has no fast fp16 convolutions on a CPU, and fast bf16 ones where it has AVX-512 BF16 or"
                        + " AMX (" + here + (bf16 ? "" : "; --set train.precisionOnCpu=fp32 may be faster") + ")"
                : "libtorch has no fast half-precision convolutions on a CPU without AVX-512 BF16 or AMX (" + here
                        + "; `retinanet bench --precision fp32,bf16` measures both)";
    }

    /** A fresh start would replace the checkpoints and metrics of the run already in the directory. */
    private void refuseToOverwrite() throws IOException {
        RunDirectory dir = new RunDirectory(runDir);
        List<Path> saved = new Checkpoints(runDir, 1).list();
        if (!saved.isEmpty() || Files.exists(dir.metrics())) {
            String what = saved.isEmpty()
                    ? dir.metrics().getFileName().toString()
                    : "checkpoint " + runDir.relativize(saved.get(saved.size() - 1));
            throw new UserException("run directory " + runDir + " already holds a run (" + what
                    + "); --resume continues it, or --work-dir names another (nothing was changed)");
        }
    }

    private void checkSameConfig() throws IOException {
        Path config = new RunDirectory(runDir).config();
        if (Files.exists(config) && !Files.readString(config).equals(experiment.yaml())) {
            throw new UserException("--resume: the config differs from the one saved in " + config
                    + "; resume with the same config, or start a new work directory");
        }
    }

    private void prepareRunDirectory() throws IOException {
        Files.createDirectories(runDir);
        Path config = new RunDirectory(runDir).config();
        String yaml = experiment.yaml();
        Path tmp = runDir.resolve(".config.yaml.tmp");
        Files.writeString(tmp, yaml);
        Files.move(
                tmp,
                config,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private Result train(ExperimentConfig cfg, List<Device> devices, RunManifest manifest, RunLog log)
            throws IOException {
        TrainConfig tc = cfg.train();
        Device device = devices.get(0);
        int totalBatch = cfg.data().train().batchSize() * devices.size();
        Engine.getInstance().setRandomSeed((int) (long) cfg.seed());
        DetectionDataset trainSet = experiment.trainDataset(registry);
        manifest.record(
                "trainDataset",
                RunRecord.dataset(
                        trainSet, experiment.resolved().tree().at("/data/train/dataset"), experiment.baseDir()));
        SplitConfig trainSplit = cfg.data().train();
        // the dataset is at hand: counting its classes again would read its annotations twice
        Integer configured = cfg.model().numClasses();
        int numClasses = configured != null ? configured : trainSet.categories().size();
        if (numClasses != trainSet.categories().size()) {
            throw new UserException("config " + experiment.resolved().origin() + ": model.numClasses is " + numClasses
                    + " but the training set " + trainSet.name() + " has "
                    + trainSet.categories().size()
                    + " categories; set model.numClasses="
                    + trainSet.categories().size() + " (or use the matching dataset)");
        }
        Checkpoints checkpoints = new Checkpoints(runDir, tc.keepCheckpoints());
        try (NDManager manager = NDManager.newBaseManager(device)) {
            DetectorBuilder.Built built =
                    new DetectorBuilder(registry).buildAndInitialize(cfg.model(), numClasses, manager);
            built.notes().forEach(n -> System.err.println("retinanet: " + n));
            Detector detector = built.detector();
            if (!precision.toString().equals(tc.precision())) {
                System.err.println("retinanet: train.precision " + tc.precision() + " runs as " + precision + " on "
                        + device + " (train.precisionOnCpu): " + cpuPrecisionReason(precision));
            }
            manifest.record("precision", JSON.valueToTree(precision.toString()));
            PrecisionPlan plan = PrecisionPlan.of(precision, detector);
            LossScaler scaler = precision.needsLossScale() ? new LossScaler(tc.lossScale(), manager) : null;
            Map<String, Parameter> all = TorchNames.parameters(detector);
            Map<String, Parameter> trainable = trainable(all);
            Sgd sgd = new Sgd(trainable, tc.momentum(), tc.weightDecay(), tc.gradClipNorm(), manager);
            BatchPipeline pipeline = registry.pipeline(
                    trainSplit.pipeline(),
                    new PipelineContext(
                            true,
                            totalBatch,
                            trainSplit.workers(),
                            cfg.seed(),
                            detector.backbone().inputNormalization()));
            int batchesPerPass = pipeline.batchesPerEpoch(trainSet);
            if (batchesPerPass == 0) {
                throw new UserException("data.train: dataset " + trainSet.name()
                        + " has no usable images for batch size " + totalBatch);
            }
            int itersPerEpoch = batchesPerPass * trainSplit.repeat();
            long totalIters = (long) itersPerEpoch * tc.epochs();
            long stopAt = options.maxIters() == null ? totalIters : Math.min(totalIters, options.maxIters());
            LrSchedule schedule = LrSchedule.of(tc, totalBatch);

            Map<String, NDArray> weights = new LinkedHashMap<>();
            all.forEach((k, p) -> weights.put(k, p.getArray()));
            ParameterStore ps = new ParameterStore(manager, false);
            TrainingLoop.Batches batches = (epoch, batchInEpoch) -> pipeline.epoch(
                    trainSet,
                    epoch * trainSplit.repeat() + batchInEpoch / batchesPerPass,
                    batchInEpoch % batchesPerPass);
            TrainingLoop.Step step =
                    (batch, lr) -> step(detector, sgd, trainable, plan, scaler, batch, devices, manager, lr);
            TrainingLoop loop =
                    new TrainingLoop(batches, step, itersPerEpoch, tc.epochs(), stopAt, weights, manager, runDir, log);
            Checkpointer checkpointer = checkpointer(
                    checkpoints,
                    weights,
                    sgd,
                    loop,
                    // sorted: Map.of's order changes from one JVM to the next, and state.json's bytes must not
                    new java.util.TreeMap<>(Map.of("totalBatch", totalBatch, "precision", precision.toString())),
                    manifest);
            EvaluationHook evaluation = new EvaluationHook(
                    (iter, last) -> {
                        try {
                            return evaluate(detector, ps, manager, device, log, iter, last);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    },
                    tc.evalInterval(),
                    options.stop(),
                    loop::evaluated);
            loop.hook("stop-signal", new StopSignalHook(options.stop(), checkpointer))
                    .hook("lr-schedule", new LrScheduleHook(schedule, loop))
                    .hook(
                            "non-finite-guard",
                            new NonFiniteGuardHook(
                                    sgd::nonFiniteReport, () -> scaler != null && scaler.lastStepSkipped()));
            if (scaler != null) {
                loop.hook("loss-scale", scaler);
            }
            loop.hook("scalars", new ScalarLogHook(tc.histogramInterval()))
                    .hook(
                            "progress",
                            new ProgressHook(
                                    new Progress(options.progress(), stopAt, tc.logInterval()),
                                    manifest,
                                    tc.logInterval()))
                    .hook("checkpoint", new CheckpointHook(checkpointer, tc.checkpointInterval()));
            if (cfg.data().val() != null) {
                loop.hook("evaluation", evaluation);
            }
            for (int i = 0; i < tc.hooks().size(); i++) {
                HookConfig hookConfig = tc.hooks().get(i);
                loop.hook(registry.idOf(hookConfig) + "-" + i, registry.hook(hookConfig));
            }

            if (options.resume()) {
                Path latest = checkpoints.latest();
                if (latest != null) {
                    try (NDManager loadManager = manager.newSubManager()) {
                        Checkpoints.Loaded ck = checkpoints.load(latest, loadManager);
                        restoreWeights(all, ck.model(), latest);
                        sgd.load(ck.optimizer());
                        Checkpoints.State at = ck.state();
                        loop.resume(
                                new TrainingLoop.Position(at.iteration(), at.epoch(), at.batchInEpoch()), ck.hooks());
                    }
                    System.err.println("retinanet: resumed from " + latest + " at iteration " + loop.iteration());
                } else {
                    System.err.println(
                            "retinanet: --resume: no checkpoint in " + runDir + " yet; starting from the beginning");
                }
            }
            if (loop.iteration() == 0) {
                log.sessionStart(Hparams.of(experiment.resolved().tree(), registry, cfg), cfg.name());
            }
            try {
                loop.run();
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            if (loop.finishedEarly() != null) {
                manifest.record("finishedEarly", JSON.valueToTree(loop.finishedEarly()));
            }
            manifest.progress(loop.iteration(), loop.epoch());
            return new Result(loop.iteration(), evaluation.last(), loop.losses());
        }
    }

    /**
     * Forward, backward and optimizer step of one batch in the plan's precision; its arrays live in
     * the returned scope. With a loss scale, a step whose gradients are not finite changes no weight.
     */
    static TrainingLoop.StepResult step(
            Detector detector,
            Sgd sgd,
            Map<String, Parameter> trainable,
            PrecisionPlan plan,
            LossScaler scaler,
            HostBatch batch,
            List<Device> devices,
            NDManager manager,
            double lr) {
        NDManager scope = manager.newSubManager(devices.get(0));
        try {
            StepWeights weights = new StepWeights(plan, scope);
            float lossScale = scaler == null ? 1f : scaler.scale();
            DataParallelStep.Outcome o = DataParallelStep.forwardBackward(
                    detector, batch, devices, weights, lossScale, scope, TrainingRun::lossValues);
            double gradientNorm = sgd.step(lr, weights.gradients(trainable, 1f / lossScale));
            if (scaler != null) {
                scaler.record(gradientNorm, weights, trainable);
            }
            return new TrainingLoop.StepResult() {
                @Override
                public Map<String, Double> losses() {
                    return o.values();
                }

                @Override
                public double gradientNorm() {
                    return gradientNorm;
                }

                @Override
                public Map<String, NDArray> diagnostics() {
                    return o.first().diagnostics();
                }

                @Override
                public int diagnosticImages() {
                    return o.firstImages();
                }

                @Override
                public void close() {
                    scope.close();
                }
            };
        } catch (RuntimeException | Error e) {
            scope.close();
            throw e;
        }
    }

    /** Saves the run's position with its weights, momentum buffers and hooks' state. */
    private Checkpointer checkpointer(
            Checkpoints checkpoints,
            Map<String, NDArray> weights,
            Sgd sgd,
            TrainingLoop loop,
            Map<String, Object> runFacts,
            RunManifest manifest) {
        return new Checkpointer() {
            @Override
            public Path save() {
                TrainingLoop.Position at = loop.position();
                try {
                    Path saved = checkpoints.save(
                            new Checkpoints.State(at.iteration(), at.epoch(), at.batchInEpoch(), runFacts),
                            weights,
                            sgd.state(),
                            loop.hookState());
                    if (Double.isNaN(loop.lastLoss())) {
                        manifest.progress(at.iteration(), at.epoch());
                    } else {
                        manifest.progress(at.iteration(), at.epoch(), loop.lastLoss());
                    }
                    return saved;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public Path ensureSaved() {
                try {
                    Path latest = checkpoints.latest();
                    return latest != null && checkpoints.state(latest).iteration() == loop.iteration()
                            ? latest
                            : save();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }

    private static Map<String, Parameter> trainable(Map<String, Parameter> all) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        all.forEach((k, p) -> {
            if (p.requiresGradient() && p.getArray().hasGradient()) {
                out.put(k, p);
            }
        });
        return out;
    }

    private void restoreWeights(Map<String, Parameter> all, Map<String, NDArray> saved, Path from) {
        for (Map.Entry<String, Parameter> e : all.entrySet()) {
            NDArray src = saved.get(e.getKey());
            NDArray dst = e.getValue().getArray();
            if (src == null || !src.getShape().equals(dst.getShape())) {
                throw new UserException("checkpoint " + from + " does not fit this model at " + e.getKey()
                        + (src == null ? " (missing)" : ": " + src.getShape() + " vs " + dst.getShape()));
            }
            TensorCopy.into(dst, src);
        }
    }

    /** Refuses, before anything in the run directory changes, to resume with another total batch or precision. */
    private void checkResumable(int totalBatch, Precision precision) throws IOException {
        Checkpoints checkpoints = new Checkpoints(runDir, Integer.MAX_VALUE);
        Path checkpoint = checkpoints.latest();
        if (checkpoint == null) {
            return;
        }
        Checkpoints.State state = checkpoints.state(checkpoint);
        Object saved = state.extra() == null ? null : state.extra().get("totalBatch");
        if (saved instanceof Number n && n.intValue() != totalBatch) {
            throw new UserException("--resume: " + checkpoint + " was trained with a total batch of " + n
                    + " (batch size x devices) and this run has " + totalBatch
                    + "; the data position and schedule would not continue exactly. Resume with the same --gpus.");
        }
        Object savedPrecision = state.extra() == null ? null : state.extra().get("precision");
        String was = savedPrecision == null ? "fp32" : savedPrecision.toString();
        if (!was.equals(precision.toString())) {
            throw new UserException("--resume: " + checkpoint + " was trained in " + was + " and this run computes in "
                    + precision + " (train.precision / train.precisionOnCpu on this device); the loss scale and"
                    + " rounding would not continue exactly. Resume on the same kind of device.");
        }
    }

    /** The loss components on the host, and their sum as {@code loss} (the guard hook checks them). */
    private static Map<String, Double> lossValues(LossOutput out) {
        Map<String, Double> values = new LinkedHashMap<>();
        double total = 0;
        for (Map.Entry<String, NDArray> e : out.components().entrySet()) {
            double v = e.getValue()
                    .toType(ai.djl.ndarray.types.DataType.FLOAT64, false)
                    .getDouble();
            values.put(e.getKey(), v);
            total += v;
        }
        values.put("loss", total);
        return values;
    }

    private EvaluationResult evaluate(
            Detector detector, ParameterStore ps, NDManager manager, Device device, RunLog log, long iter, boolean last)
            throws IOException {
        ExperimentConfig cfg = experiment.config();
        if (cfg.evaluator() == null) {
            throw new UserException(
                    "config " + experiment.resolved().origin() + ": data.val is set but evaluator is missing");
        }
        if (valSet == null) {
            valSet = experiment.valDataset(registry);
            runManifest.record(
                    "valDataset",
                    RunRecord.dataset(
                            valSet, experiment.resolved().tree().at("/data/val/dataset"), experiment.baseDir()));
        }
        SplitConfig split = cfg.data().val();
        BatchPipeline pipeline = registry.pipeline(
                split.pipeline(),
                new PipelineContext(
                        false,
                        split.batchSize(),
                        split.workers(),
                        cfg.seed(),
                        detector.backbone().inputNormalization()));
        long t0 = System.nanoTime();
        List<Detection> detections = Inference.detectAll(detector, ps, valSet, pipeline, manager, device);
        EvaluationResult result = registry.evaluator(cfg.evaluator()).evaluate(valSet, detections);
        System.err.printf(
                "retinanet: evaluation at iteration %d (%d images, %.1f s):%n%s%n",
                iter, valSet.size(), (System.nanoTime() - t0) / 1e9, result.summary());
        result.metrics().forEach((k, v) -> log.scalar("val/" + k, iter, v));
        result.perClassAp().forEach((k, v) -> log.scalar("val_class/" + k, iter, v));
        log.image("val/detections", iter, Drawing.render(valSet, detections, 0));
        if (last) {
            Map<String, Object> metrics = new LinkedHashMap<>();
            metrics.put("iteration", iter);
            metrics.put("dataset", valSet.name());
            metrics.put("metrics", result.metrics());
            metrics.put("perClassAP", result.perClassAp());
            Path tmp = runDir.resolve(".metrics.json.tmp");
            Files.write(tmp, JSON.writeValueAsBytes(metrics));
            Files.move(
                    tmp,
                    runDir.resolve("metrics.json"),
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            CocoResultsJson.write(runDir.resolve("detections.json"), detections, valSet.categories());
        }
        return result;
    }
}
