package org.retinanet.experiments.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.retinanet.api.data.BatchIterator;
import org.retinanet.api.data.EvaluationResult;
import org.retinanet.api.data.HostBatch;
import org.retinanet.api.train.StepOutcome;
import org.retinanet.api.train.TrainingContext;
import org.retinanet.api.train.TrainingHook;

/**
 * The training loop (detectron2's {@code TrainerBase}, mmengine's {@code IterBasedTrainLoop}):
 * iterations over epochs from a position, with hooks around them. The learning rate,
 * checkpoints, evaluation, logging, progress, the non-finite guard and stop signals are hooks.
 */
public final class TrainingLoop implements TrainingContext {

    /** The batches of an epoch from a position on; the iterator may end early (at a pass's end). */
    @FunctionalInterface
    public interface Batches {
        BatchIterator from(int epoch, int batchInEpoch);
    }

    /** One iteration: forward, backward and optimizer step on a batch at a learning rate. */
    @FunctionalInterface
    public interface Step {
        StepResult run(HostBatch batch, double lr);
    }

    /** A step's outcome; its arrays live until {@link #close()}, which runs after the afterStep hooks. */
    public interface StepResult extends AutoCloseable {
        Map<String, Double> losses();

        double gradientNorm();

        Map<String, NDArray> diagnostics();

        /** Images the diagnostics cover. */
        int diagnosticImages();

        @Override
        void close();
    }

    /** Where a run stands: what a checkpoint stores to continue exactly. */
    public record Position(long iteration, int epoch, int batchInEpoch) {}

    private final Batches batches;
    private final Step step;
    private final int iterationsPerEpoch;
    private final int epochs;
    private final long maxIterations;
    private final Map<String, NDArray> weights;
    private final NDManager manager;
    private final Path runDir;
    private final RunLog log;
    private final Map<String, TrainingHook> hooks = new LinkedHashMap<>();
    private final List<Double> losses = new ArrayList<>();
    private long iteration;
    private int epoch;
    private int batchInEpoch;
    private double lr = Double.NaN;
    private double lastLoss = Double.NaN;
    private String finishedEarly;

    public TrainingLoop(
            Batches batches,
            Step step,
            int iterationsPerEpoch,
            int epochs,
            long maxIterations,
            Map<String, NDArray> weights,
            NDManager manager,
            Path runDir,
            RunLog log) {
        this.batches = batches;
        this.step = step;
        this.iterationsPerEpoch = iterationsPerEpoch;
        this.epochs = epochs;
        this.maxIterations = maxIterations;
        this.weights = weights;
        this.manager = manager;
        this.runDir = runDir;
        this.log = log;
    }

    /** Adds a hook under a name unique in this run (its state's key prefix in checkpoints). */
    public TrainingLoop hook(String name, TrainingHook hook) {
        if (hooks.putIfAbsent(name, hook) != null) {
            throw new IllegalArgumentException("two training hooks named " + name);
        }
        return this;
    }

    /** Continues from a checkpoint's position, with the hooks' saved state. */
    public void resume(Position position, Map<String, NDArray> hookState) {
        iteration = position.iteration();
        epoch = position.epoch();
        batchInEpoch = position.batchInEpoch();
        hooks.forEach((name, hook) -> {
            Map<String, NDArray> own = new LinkedHashMap<>();
            String prefix = name + "/";
            hookState.forEach((k, v) -> {
                if (k.startsWith(prefix)) {
                    v.attach(manager); // the hook keeps them: they live as long as the run
                    own.put(k.substring(prefix.length()), v);
                }
            });
            hook.loadState(own);
        });
    }

    /** Runs to {@link #maxIterations()} (or an early finish); stop signals and failures end it with an exception. */
    public void run() {
        hooks.values().forEach(h -> h.beforeTrain(this));
        while (epoch < epochs && iteration < maxIterations && finishedEarly == null) {
            while (batchInEpoch < iterationsPerEpoch && iteration < maxIterations && finishedEarly == null) {
                runPass();
            }
            if (batchInEpoch >= iterationsPerEpoch) {
                epoch++;
                batchInEpoch = 0;
                hooks.values().forEach(h -> h.afterEpoch(this));
            }
        }
        hooks.values().forEach(h -> h.afterTrain(this));
    }

    /** Iterations until the batch iterator (one pass of the data) ends. */
    private void runPass() {
        try (BatchIterator pass = batches.from(epoch, batchInEpoch)) {
            if (!pass.hasNext()) {
                throw new IllegalStateException(
                        "the pipeline produced no batch at batch " + batchInEpoch + " of epoch " + epoch);
            }
            while (pass.hasNext() && iteration < maxIterations && finishedEarly == null) {
                hooks.values().forEach(h -> h.beforeStep(this));
                long t0 = System.nanoTime();
                HostBatch batch = pass.next();
                long t1 = System.nanoTime();
                try (StepResult result = step.run(batch, lr)) {
                    long t2 = System.nanoTime();
                    iteration++;
                    batchInEpoch++;
                    lastLoss = result.losses().getOrDefault("loss", Double.NaN);
                    losses.add(lastLoss);
                    StepOutcome outcome = new StepOutcome(
                            result.losses(),
                            result.gradientNorm(),
                            batch.size(),
                            (t2 - t0) / 1e9,
                            (t1 - t0) / 1e9,
                            result.diagnostics(),
                            result.diagnosticImages());
                    hooks.values().forEach(h -> h.afterStep(this, outcome));
                }
            }
            List<String> skipped = pass.skipped();
            if (!skipped.isEmpty()) {
                System.err.println("retinanet: skipped " + skipped.size() + " unreadable images: "
                        + String.join("; ", skipped.subList(0, Math.min(3, skipped.size()))));
            }
        }
    }

    /** Tells every hook about an evaluation (the evaluation hook calls this). */
    public void evaluated(EvaluationResult result) {
        hooks.values().forEach(h -> h.afterEvaluation(this, result));
    }

    /** Every hook's state, keyed {@code <hook name>/<key>}, for a checkpoint; sorted, so its bytes never depend on map order. */
    public Map<String, NDArray> hookState() {
        Map<String, NDArray> out = new TreeMap<>();
        hooks.forEach((name, hook) -> hook.state().forEach((k, v) -> out.put(name + "/" + k, v)));
        return out;
    }

    public Position position() {
        return new Position(iteration, epoch, batchInEpoch);
    }

    /** Set by the learning-rate hook before each step. */
    public void setLearningRate(double lr) {
        this.lr = lr;
    }

    /** The last iteration's total loss (NaN before the first). */
    public double lastLoss() {
        return lastLoss;
    }

    /** Every iteration's total loss in this process. */
    public List<Double> losses() {
        return losses;
    }

    /** Why the run finished before its schedule's end, or null. */
    public String finishedEarly() {
        return finishedEarly;
    }

    @Override
    public long iteration() {
        return iteration;
    }

    @Override
    public int epoch() {
        return epoch;
    }

    @Override
    public long maxIterations() {
        return maxIterations;
    }

    @Override
    public int iterationsPerEpoch() {
        return iterationsPerEpoch;
    }

    @Override
    public double learningRate() {
        return lr;
    }

    @Override
    public Map<String, NDArray> weights() {
        return weights;
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    @Override
    public Path runDirectory() {
        return runDir;
    }

    @Override
    public void scalar(String tag, double value) {
        log.scalar(tag, iteration, value);
    }

    @Override
    public void histogram(String tag, double[] values) {
        log.histogram(tag, iteration, values);
    }

    @Override
    public void finishEarly(String reason) {
        if (finishedEarly == null) {
            finishedEarly = reason;
        }
    }
}
