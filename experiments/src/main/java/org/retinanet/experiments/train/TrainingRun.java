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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.retinanet.api.data.BatchIterator;
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
import org.retinanet.experiments.config.SplitConfig;
import org.retinanet.experiments.config.TrainConfig;
import org.retinanet.experiments.engine.ConvPath;
import org.retinanet.experiments.engine.Determinism;
import org.retinanet.experiments.model.Detector;
import org.retinanet.experiments.model.DetectorBuilder;
import org.retinanet.experiments.run.PlatformVersion;
import org.retinanet.experiments.run.RunDirectory;
import org.retinanet.experiments.run.RunRecord;

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
    private double lastLoss = Double.NaN;
    private RunManifest runManifest;
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
        if (options.resume()) {
            checkSameTotalBatch(cfg.data().train().batchSize() * devices.size());
            checkSameConfig();
        }
        ConvPath.ensureCorrectFor(devices.get(0));
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
        List<Double> losses = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager(device)) {
            DetectorBuilder.Built built =
                    new DetectorBuilder(registry).buildAndInitialize(cfg.model(), numClasses, manager);
            built.notes().forEach(n -> System.err.println("retinanet: " + n));
            Detector detector = built.detector();
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

            long iter = 0;
            int epoch = 0;
            int batchInEpoch = 0;
            if (options.resume()) {
                Path latest = checkpoints.latest();
                if (latest != null) {
                    try (NDManager loadManager = manager.newSubManager()) {
                        Checkpoints.Loaded ck = checkpoints.load(latest, loadManager);
                        restoreWeights(all, ck.model(), latest);
                        sgd.load(ck.optimizer());
                        iter = ck.state().iteration();
                        epoch = ck.state().epoch();
                        batchInEpoch = ck.state().batchInEpoch();
                    }
                    System.err.println("retinanet: resumed from " + latest + " at iteration " + iter);
                } else {
                    System.err.println(
                            "retinanet: --resume: no checkpoint in " + runDir + " yet; starting from the beginning");
                }
            }
            if (iter == 0) {
                log.sessionStart(Hparams.of(experiment.resolved().tree(), registry, cfg), cfg.name());
            }

            ParameterStore ps = new ParameterStore(manager, false);
            Progress progress = new Progress(options.progress(), stopAt, tc.logInterval());
            EvaluationResult lastEval = null;
            outer:
            while (epoch < tc.epochs() && iter < stopAt) {
                while (batchInEpoch < itersPerEpoch && iter < stopAt) {
                    int pass = batchInEpoch / batchesPerPass;
                    int skip = batchInEpoch % batchesPerPass;
                    try (BatchIterator batches = pipeline.epoch(trainSet, epoch * trainSplit.repeat() + pass, skip)) {
                        if (!batches.hasNext()) {
                            throw new IllegalStateException("pipeline produced no batch at batch " + skip + " of pass "
                                    + pass + " although it reports " + batchesPerPass + " per epoch");
                        }
                        while (batches.hasNext() && iter < stopAt) {
                            stopIfAsked(checkpoints, all, sgd, iter, epoch, batchInEpoch, totalBatch, manifest);
                            long t0 = System.nanoTime();
                            HostBatch host = batches.next();
                            long t1 = System.nanoTime();
                            double lr = schedule.lr(iter, epoch);
                            Map<String, Double> values;
                            double gradNorm;
                            try (NDManager step = manager.newSubManager(device)) {
                                final long stepIter = iter;
                                final int stepEpoch = epoch;
                                DataParallelStep.Outcome o = DataParallelStep.forwardBackward(
                                        detector, host, devices, step, out -> lossValues(out, stepIter, stepEpoch, lr));
                                values = o.values();
                                gradNorm = sgd.step(lr);
                                if (!Double.isFinite(gradNorm)) {
                                    throw nonFinite(sgd.nonFiniteReport(), iter + 1, epoch, lr);
                                }
                                logDiagnostics(log, o.first(), iter);
                            }
                            long t2 = System.nanoTime();
                            iter++;
                            batchInEpoch++;
                            losses.add(values.get("loss"));
                            progress.step(iter, epoch, values, lr, host.size() / ((t2 - t0) / 1e9), (t1 - t0) / 1e9);
                            final long at = iter;
                            values.forEach((k, v) -> log.scalar("train/" + k, at, v));
                            log.scalar("train/lr", iter, lr);
                            log.scalar("train/grad_norm", iter, gradNorm);
                            log.scalar("train/images_per_sec", iter, host.size() / ((t2 - t0) / 1e9));
                            log.scalar("train/data_time", iter, (t1 - t0) / 1e9);
                            lastLoss = values.get("loss");
                            if (iter % tc.checkpointInterval() == 0) {
                                save(checkpoints, all, sgd, iter, epoch, batchInEpoch, totalBatch, manifest);
                            } else if (iter % tc.logInterval() == 0) {
                                manifest.progress(iter, epoch, lastLoss);
                            }
                        }
                        if (!batches.skipped().isEmpty()) {
                            System.err.println("retinanet: skipped "
                                    + batches.skipped().size() + " unreadable images: "
                                    + String.join(
                                            "; ",
                                            batches.skipped()
                                                    .subList(
                                                            0,
                                                            Math.min(
                                                                    3,
                                                                    batches.skipped()
                                                                            .size()))));
                        }
                    }
                }
                if (batchInEpoch >= itersPerEpoch) {
                    epoch++;
                    batchInEpoch = 0;
                    save(checkpoints, all, sgd, iter, epoch, batchInEpoch, totalBatch, manifest);
                    boolean last = epoch >= tc.epochs() || iter >= stopAt;
                    if (!last && cfg.data().val() != null && epoch % tc.evalInterval() == 0) {
                        if (options.stop().reason() != null) {
                            // a signal's grace period is short; the checkpoint above is what matters
                            System.err.println(
                                    "retinanet: skipping the evaluation after epoch " + epoch + " to stop promptly");
                        } else {
                            lastEval = evaluate(detector, ps, manager, device, log, iter, false);
                        }
                    }
                }
                if (iter >= stopAt) {
                    break outer;
                }
            }
            if (iter > 0
                    && (checkpoints.latest() == null
                            || !checkpoints
                                    .latest()
                                    .getFileName()
                                    .toString()
                                    .equals(String.format("iter_%08d", iter)))) {
                save(checkpoints, all, sgd, iter, epoch, batchInEpoch, totalBatch, manifest);
            }
            progress.done();
            if (cfg.data().val() != null) {
                lastEval = evaluate(detector, ps, manager, device, log, iter, true);
            }
            manifest.progress(iter, epoch);
            return new Result(iter, lastEval, losses);
        }
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

    /** Refuses, before anything in the run directory changes, to resume with another total batch. */
    private void checkSameTotalBatch(int totalBatch) throws IOException {
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
    }

    private void save(
            Checkpoints checkpoints,
            Map<String, Parameter> all,
            Sgd sgd,
            long iter,
            int epoch,
            int batchInEpoch,
            int totalBatch,
            RunManifest manifest)
            throws IOException {
        Map<String, NDArray> model = new LinkedHashMap<>();
        all.forEach((k, p) -> model.put(k, p.getArray()));
        checkpoints.save(
                new Checkpoints.State(iter, epoch, batchInEpoch, Map.of("totalBatch", totalBatch)), model, sgd.state());
        if (Double.isNaN(lastLoss)) {
            manifest.progress(iter, epoch);
        } else {
            manifest.progress(iter, epoch, lastLoss);
        }
    }

    /**
     * At an iteration boundary: when a stop was asked for (a signal), makes sure a checkpoint of
     * this exact position exists and ends the run; {@code --resume} continues it bit-identically.
     */
    private void stopIfAsked(
            Checkpoints checkpoints,
            Map<String, Parameter> all,
            Sgd sgd,
            long iter,
            int epoch,
            int batchInEpoch,
            int totalBatch,
            RunManifest manifest)
            throws IOException {
        String reason = options.stop().reason();
        if (reason == null) {
            return;
        }
        Path latest = checkpoints.latest();
        boolean saved = latest != null && checkpoints.state(latest).iteration() == iter;
        if (iter > 0 && !saved) {
            save(checkpoints, all, sgd, iter, epoch, batchInEpoch, totalBatch, manifest);
        }
        throw new TrainingStoppedException(reason, iter, iter > 0 ? checkpoints.latest() : null);
    }

    /** The loss components on the host, and their sum as {@code loss}; a non-finite one stops the run. */
    private Map<String, Double> lossValues(LossOutput out, long iter, int epoch, double lr) {
        Map<String, Double> values = new LinkedHashMap<>();
        double total = 0;
        for (Map.Entry<String, NDArray> e : out.components().entrySet()) {
            double v = e.getValue()
                    .toType(ai.djl.ndarray.types.DataType.FLOAT64, false)
                    .getDouble();
            values.put(e.getKey(), v);
            if (!Double.isFinite(v)) {
                throw nonFinite(e.getKey(), iter + 1, epoch, lr);
            }
            total += v;
        }
        values.put("loss", total);
        return values;
    }

    private TrainingFailedException nonFinite(String component, long iter, int epoch, double lr) {
        String last;
        try {
            Path latest = new Checkpoints(runDir, 1).latest();
            last = latest == null ? "no checkpoint was written yet" : "the last good checkpoint is " + latest;
        } catch (IOException e) {
            last = "checkpoints could not be listed";
        }
        return new TrainingFailedException(String.format(
                "non-finite %s at iteration %d (epoch %d, lr %.6g); %s. Usual causes: a learning rate too high"
                        + " for the batch size (scale lr linearly with the total batch, or set train.autoScaleLr),"
                        + " missing or too short warmup (train.warmupIters), or no gradient clipping"
                        + " (train.gradClipNorm: 35 as mmdetection suggests).",
                component, iter, epoch + 1, lr, last));
    }

    private static void logDiagnostics(RunLog log, LossOutput out, long iter) {
        if (iter % 50 != 0) {
            return;
        }
        for (String tag : List.of("scores_pos", "scores_neg")) {
            NDArray a = out.diagnostics().get(tag);
            if (a != null && a.size() > 0) {
                float[] f =
                        a.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
                double[] d = new double[f.length];
                for (int i = 0; i < f.length; i++) {
                    d[i] = f[i];
                }
                log.histogram("train/" + tag, iter + 1, d);
            }
        }
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
