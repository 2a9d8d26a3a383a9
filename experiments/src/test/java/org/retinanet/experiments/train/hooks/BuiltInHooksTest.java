package org.retinanet.experiments.train.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyDouble;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.retinanet.api.train.StepOutcome;
import org.retinanet.api.train.TrainingContext;
import org.retinanet.experiments.train.TrainingFailedException;
import org.retinanet.experiments.train.TrainingStoppedException;

/** The built-in hooks against a stand-in run (and checkpointer): their cadences and their decisions. */
class BuiltInHooksTest {

    private final TrainingContext run = mock(TrainingContext.class);
    private final Checkpointer checkpointer = mock(Checkpointer.class);

    private static StepOutcome step(double lossCls, double gradientNorm, Map<String, NDArray> diagnostics) {
        Map<String, Double> losses = new LinkedHashMap<>();
        losses.put("loss_cls", lossCls);
        losses.put("loss", lossCls);
        return new StepOutcome(losses, gradientNorm, 4, 0.5, 0.1, diagnostics, 2);
    }

    @Test
    void checkpointsAtTheIntervalAtEachEpochEndAndOnceAtTheEnd() {
        CheckpointHook hook = new CheckpointHook(checkpointer, 3);
        for (long i = 1; i <= 7; i++) {
            when(run.iteration()).thenReturn(i);
            hook.afterStep(run, step(1, 1, Map.of()));
        }
        verify(checkpointer, times(2)).save(); // 3 and 6
        hook.afterEpoch(run);
        verify(checkpointer, times(3)).save();
        hook.afterTrain(run);
        verify(checkpointer).ensureSaved();
    }

    @Test
    void aPendingStopSignalCheckpointsAndEndsTheRunAtTheBoundary() {
        String[] reason = {null};
        StopSignalHook hook = new StopSignalHook(() -> reason[0], checkpointer);
        when(run.iteration()).thenReturn(12L);
        hook.beforeStep(run);
        verify(checkpointer, never()).ensureSaved();

        reason[0] = "SIGTERM";
        when(checkpointer.ensureSaved()).thenReturn(Path.of("checkpoints/iter_00000012"));
        assertThatThrownBy(() -> hook.beforeStep(run))
                .isInstanceOf(TrainingStoppedException.class)
                .hasMessageContaining("SIGTERM");
        verify(checkpointer).ensureSaved();
    }

    @Test
    void theGuardNamesTheNonFiniteComponentOrTheGradient() {
        NonFiniteGuardHook guard = new NonFiniteGuardHook(() -> "gradient (in 1 parameters, first: w)");
        when(run.iteration()).thenReturn(5L);
        when(run.runDirectory()).thenReturn(Path.of("/nonexistent/run"));
        guard.afterStep(run, step(0.5, 2.0, Map.of()));
        assertThatThrownBy(() -> guard.afterStep(run, step(Double.NaN, Double.NaN, Map.of())))
                .isInstanceOf(TrainingFailedException.class)
                .hasMessageStartingWith("non-finite loss_cls at iteration 5");
        assertThatThrownBy(() -> guard.afterStep(run, step(0.5, Double.POSITIVE_INFINITY, Map.of())))
                .hasMessageStartingWith("non-finite gradient (in 1 parameters, first: w) at iteration 5");
    }

    @Test
    void scalarsEveryStepHistogramsAtTheirIntervalAndAnchorsPerImage() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> diagnostics = Map.of(
                    "num_pos", m.create(6f),
                    "num_neg", m.create(3000f),
                    "scores_pos", m.create(new float[] {0.9f, 0.8f}));
            ScalarLogHook hook = new ScalarLogHook(2);
            when(run.learningRate()).thenReturn(0.01);
            for (long i = 1; i <= 3; i++) {
                when(run.iteration()).thenReturn(i);
                hook.afterStep(run, step(0.25, 1.5, diagnostics));
            }
            verify(run, times(3)).scalar("train/loss_cls", 0.25);
            verify(run, times(3)).scalar("train/lr", 0.01);
            verify(run, times(3)).scalar("train/grad_norm", 1.5);
            verify(run, times(3)).scalar("train/images_per_sec", 8.0);
            verify(run, times(3)).scalar("train/pos_per_image", 3.0); // 6 positives over the 2 images they cover
            verify(run, times(3)).scalar("train/neg_per_image", 1500.0);
            verify(run, times(2)).histogram(eq("train/scores_pos"), any()); // iterations 1 and 3
            verify(run, never()).histogram(eq("train/scores_neg"), any()); // none in the diagnostics
            verify(run, never()).scalar(eq("train/unknown"), anyDouble());
        }
    }

    @Test
    void evaluatesEveryIntervalEpochsNotAfterTheLastOneAndNotWhileStopping() {
        int[] evaluations = {0};
        String[] reason = {null};
        EvaluationHook hook = new EvaluationHook(
                (iteration, last) -> {
                    evaluations[0]++;
                    return null;
                },
                2,
                () -> reason[0],
                r -> {});
        when(run.maxIterations()).thenReturn(100L);
        when(run.iteration()).thenReturn(50L);
        when(run.epoch()).thenReturn(1);
        hook.afterEpoch(run);
        assertThat(evaluations[0]).isZero();
        when(run.epoch()).thenReturn(2);
        hook.afterEpoch(run);
        assertThat(evaluations[0]).isEqualTo(1);
        reason[0] = "SIGUSR1";
        hook.afterEpoch(run);
        assertThat(evaluations[0]).as("skipped while a stop is pending").isEqualTo(1);
        reason[0] = null;
        when(run.iteration()).thenReturn(100L);
        hook.afterEpoch(run);
        assertThat(evaluations[0]).as("the final evaluation is afterTrain's").isEqualTo(1);
        hook.afterTrain(run);
        assertThat(evaluations[0]).isEqualTo(2);
    }
}
