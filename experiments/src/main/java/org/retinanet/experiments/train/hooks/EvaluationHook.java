package org.retinanet.experiments.train.hooks;

import java.util.function.Consumer;
import org.retinanet.api.data.EvaluationResult;
import org.retinanet.api.train.TrainingContext;
import org.retinanet.api.train.TrainingHook;
import org.retinanet.experiments.train.StopRequest;

/**
 * Evaluates on the validation set every {@code interval} epochs and after the last iteration
 * (that one also writes metrics.json and detections.json). An epoch-end evaluation is skipped
 * when a stop signal is pending: its grace period is short, and the checkpoint is what matters.
 */
public final class EvaluationHook implements TrainingHook {

    /** Runs one evaluation at an iteration; {@code last}: the run's final one. */
    @FunctionalInterface
    public interface Evaluation {
        EvaluationResult run(long iteration, boolean last);
    }

    private final Evaluation evaluation;
    private final int interval;
    private final StopRequest stop;
    private final Consumer<EvaluationResult> evaluated;
    private EvaluationResult last;

    /** {@code evaluated}: told of every result (the loop passes it on to every hook). */
    public EvaluationHook(Evaluation evaluation, int interval, StopRequest stop, Consumer<EvaluationResult> evaluated) {
        this.evaluation = evaluation;
        this.interval = interval;
        this.stop = stop;
        this.evaluated = evaluated;
    }

    @Override
    public void afterEpoch(TrainingContext run) {
        boolean lastIteration = run.iteration() >= run.maxIterations();
        if (lastIteration || run.epoch() % interval != 0) {
            return;
        }
        if (stop.reason() != null) {
            System.err.println("retinanet: skipping the evaluation after epoch " + run.epoch() + " to stop promptly");
            return;
        }
        evaluate(run, false);
    }

    @Override
    public void afterTrain(TrainingContext run) {
        evaluate(run, true);
    }

    private void evaluate(TrainingContext run, boolean isLast) {
        last = evaluation.run(run.iteration(), isLast);
        evaluated.accept(last);
    }

    /** The latest evaluation, or null. */
    public EvaluationResult last() {
        return last;
    }
}
