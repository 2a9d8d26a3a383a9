package org.retinanet.api.train;

import ai.djl.ndarray.NDArray;
import java.util.Map;
import org.retinanet.api.data.EvaluationResult;

/**
 * Code that runs at fixed points of the training loop (detectron2's {@code HookBase}, mmengine's
 * {@code Hook}). The loop itself only iterates; checkpoints, evaluation, logging, the learning
 * rate, the non-finite guard and progress are hooks too. Every method does nothing by default.
 *
 * <p>A hook with state that must survive a restart returns it from {@link #state()}: it is saved
 * with every checkpoint and handed to {@link #loadState} on {@code --resume}, so that a resumed
 * run stays bit-identical to one that never stopped.
 */
public interface TrainingHook {

    /** Once, before the first iteration of this process (after a resume: at the resumed position). */
    default void beforeTrain(TrainingContext run) {}

    /** Before each iteration; {@link TrainingContext#iteration()} is the number of iterations done. */
    default void beforeStep(TrainingContext run) {}

    /** After each iteration's optimizer step; {@code step} holds its losses and timings. */
    default void afterStep(TrainingContext run, StepOutcome step) {}

    /** After the last iteration of an epoch; {@link TrainingContext#epoch()} is the epochs done. */
    default void afterEpoch(TrainingContext run) {}

    /** After each evaluation on the validation set. */
    default void afterEvaluation(TrainingContext run, EvaluationResult result) {}

    /** Once, after the last iteration (not when the run stops on a signal or fails). */
    default void afterTrain(TrainingContext run) {}

    /** Arrays to save with each checkpoint, by name (unique within this hook). */
    default Map<String, NDArray> state() {
        return Map.of();
    }

    /**
     * The arrays {@link #state()} returned when the checkpoint being resumed was written (called
     * before {@link #beforeTrain}); they belong to the run's manager, so the hook may keep them.
     */
    default void loadState(Map<String, NDArray> state) {}
}
