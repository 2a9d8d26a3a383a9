package org.retinanet.experiments.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import org.retinanet.api.config.HookConfig;

/**
 * Optimisation and schedule, mmdetection's semantics: SGD (torch form) with momentum and weight
 * decay; linear warmup over {@code warmupIters} from {@code warmupRatio * lr}; step decay by
 * {@code stepGamma} at the epochs in {@code steps}; {@code autoScaleLr} scales lr by
 * total batch / {@code baseBatchSize} (mmdetection: 16). {@code deterministic}, as mmdetection's
 * {@code --deterministic}: deterministic cuDNN and algorithms, no cuDNN benchmarking (GPU runs
 * reproducible, somewhat slower; an operation without a deterministic kernel is then an error).
 *
 * <p>Hook cadences: a checkpoint every {@code checkpointInterval} iterations and at each epoch's
 * end, evaluation every {@code evalInterval} epochs, progress lines and the manifest's position
 * every {@code logInterval} iterations, score histograms every {@code histogramInterval}
 * (scalars every iteration). {@code hooks}: plugin hooks ({@code type} is the hook's id), run
 * after the built-in ones in the order listed.
 *
 * <p>{@code precision}: {@code fp32}, {@code fp16} (mixed precision with float32 master weights
 * and the {@code lossScale}) or {@code bf16} (the same without a loss scale);
 * {@code precisionOnCpu}, when set, replaces it on a CPU, where libtorch has no fast float16
 * convolutions (the run says so in one line).
 */
public record TrainConfig(
        Integer epochs,
        Double lr,
        Double momentum,
        Double weightDecay,
        Integer warmupIters,
        Double warmupRatio,
        List<Integer> steps,
        Double stepGamma,
        Double gradClipNorm,
        Boolean autoScaleLr,
        Integer baseBatchSize,
        Integer checkpointInterval,
        Integer evalInterval,
        Integer logInterval,
        Integer keepCheckpoints,
        Boolean deterministic,
        Integer histogramInterval,
        List<HookConfig> hooks,
        String precision,
        String precisionOnCpu,
        LossScaleConfig lossScale) {

    public TrainConfig(
            @JsonProperty("epochs") Integer epochs,
            @JsonProperty("lr") Double lr,
            @JsonProperty("momentum") Double momentum,
            @JsonProperty("weightDecay") Double weightDecay,
            @JsonProperty("warmupIters") Integer warmupIters,
            @JsonProperty("warmupRatio") Double warmupRatio,
            @JsonProperty("steps") List<Integer> steps,
            @JsonProperty("stepGamma") Double stepGamma,
            @JsonProperty("gradClipNorm") Double gradClipNorm,
            @JsonProperty("autoScaleLr") Boolean autoScaleLr,
            @JsonProperty("baseBatchSize") Integer baseBatchSize,
            @JsonProperty("checkpointInterval") Integer checkpointInterval,
            @JsonProperty("evalInterval") Integer evalInterval,
            @JsonProperty("logInterval") Integer logInterval,
            @JsonProperty("keepCheckpoints") Integer keepCheckpoints,
            @JsonProperty("deterministic") Boolean deterministic,
            @JsonProperty("histogramInterval") Integer histogramInterval,
            @JsonProperty("hooks") List<HookConfig> hooks,
            @JsonProperty("precision") String precision,
            @JsonProperty("precisionOnCpu") String precisionOnCpu,
            @JsonProperty("lossScale") LossScaleConfig lossScale) {
        this.epochs = epochs == null ? 12 : epochs;
        this.lr = lr == null ? 0.01 : lr;
        this.momentum = momentum == null ? 0.9 : momentum;
        this.weightDecay = weightDecay == null ? 1e-4 : weightDecay;
        this.warmupIters = warmupIters == null ? 500 : warmupIters;
        this.warmupRatio = warmupRatio == null ? 0.001 : warmupRatio;
        this.steps = steps == null ? List.of(8, 11) : List.copyOf(steps);
        this.stepGamma = stepGamma == null ? 0.1 : stepGamma;
        this.gradClipNorm = gradClipNorm;
        this.autoScaleLr = autoScaleLr == null ? false : autoScaleLr;
        this.baseBatchSize = baseBatchSize == null ? 16 : baseBatchSize;
        this.checkpointInterval = checkpointInterval == null ? 500 : checkpointInterval;
        this.evalInterval = evalInterval == null ? 1 : evalInterval;
        this.logInterval = logInterval == null ? 50 : logInterval;
        this.keepCheckpoints = keepCheckpoints == null ? 3 : keepCheckpoints;
        this.deterministic = deterministic != null && deterministic;
        this.histogramInterval = histogramInterval == null ? 50 : histogramInterval;
        this.hooks = hooks == null ? List.of() : List.copyOf(hooks);
        this.precision = Precision.parse(precision == null ? "fp32" : precision, "train.precision")
                .toString();
        this.precisionOnCpu = precisionOnCpu == null
                ? null
                : Precision.parse(precisionOnCpu, "train.precisionOnCpu").toString();
        this.lossScale = lossScale == null ? LossScaleConfig.defaults() : lossScale;
        atLeastOne("checkpointInterval", this.checkpointInterval);
        atLeastOne("evalInterval", this.evalInterval);
        atLeastOne("logInterval", this.logInterval);
        atLeastOne("histogramInterval", this.histogramInterval);
        atLeastOne("keepCheckpoints", this.keepCheckpoints);
        if (this.epochs <= 0 || this.lr <= 0 || this.warmupIters < 0 || this.warmupRatio <= 0 || this.warmupRatio > 1) {
            throw new IllegalArgumentException(
                    "train: epochs and lr must be positive, warmupIters >= 0, 0 < warmupRatio <= 1");
        }
        if (this.stepGamma <= 0) {
            throw new IllegalArgumentException("train.stepGamma must be positive, got " + this.stepGamma);
        }
        if (this.gradClipNorm != null && this.gradClipNorm <= 0) {
            throw new IllegalArgumentException("train.gradClipNorm must be positive, got " + this.gradClipNorm);
        }
    }

    private static void atLeastOne(String field, int value) {
        if (value < 1) {
            throw new IllegalArgumentException("train." + field + " must be >= 1, got " + value);
        }
    }

    /** The precision this run computes in on {@code device} ({@code precisionOnCpu} on a CPU when set). */
    public Precision precisionOn(ai.djl.Device device) {
        boolean cpu = ai.djl.Device.Type.CPU.equals(device.getDeviceType());
        return Precision.parse(cpu && precisionOnCpu != null ? precisionOnCpu : precision, "train.precision");
    }

    public static TrainConfig defaults() {
        return new TrainConfig(
                null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null);
    }
}
