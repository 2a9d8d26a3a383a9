package org.retinanet.experiments.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.mockito.InOrder;
import org.retinanet.api.data.BatchIterator;
import org.retinanet.api.data.BoxTargets;
import org.retinanet.api.data.HostBatch;
import org.retinanet.api.data.ImageMeta;
import org.retinanet.api.train.StepOutcome;
import org.retinanet.api.train.TrainingContext;
import org.retinanet.api.train.TrainingHook;

/**
 * The loop on its own: hooks (Mockito stand-ins) called at the right points in the right order,
 * positions after a resume, passes that end early, early finishing, and a step's arrays released
 * only after every hook saw them. The real step and hooks are covered end to end by TrainCommandTest.
 */
class TrainingLoopTest {

    private static final HostBatch ONE_IMAGE = new HostBatch(
            new float[3], 1, 1, List.of(new ImageMeta(7, 1, 1, 1, 1, 1, 1, false)), List.of(BoxTargets.empty()));

    /** Batches of {@code perPass} per call, recording where each pass started. */
    private static final class FakeBatches implements TrainingLoop.Batches {
        final int perPass;
        final List<String> starts = new ArrayList<>();

        FakeBatches(int perPass) {
            this.perPass = perPass;
        }

        @Override
        public BatchIterator from(int epoch, int batchInEpoch) {
            starts.add(epoch + ":" + batchInEpoch);
            Iterator<HostBatch> it =
                    java.util.Collections.nCopies(perPass, ONE_IMAGE).iterator();
            return new BatchIterator() {
                public boolean hasNext() {
                    return it.hasNext();
                }

                public HostBatch next() {
                    return it.next();
                }

                public void close() {}
            };
        }
    }

    private final List<TrainingLoop.StepResult> steps = new ArrayList<>();

    private TrainingLoop.StepResult step(HostBatch batch, double lr) {
        TrainingLoop.StepResult result = mock(TrainingLoop.StepResult.class);
        when(result.losses()).thenReturn(Map.of("loss", 1.0 + steps.size()));
        when(result.diagnostics()).thenReturn(Map.of());
        steps.add(result);
        return result;
    }

    private final NDManager manager = mock(NDManager.class);

    private TrainingLoop loop(TrainingLoop.Batches batches, int perEpoch, int epochs, long max) {
        return new TrainingLoop(
                batches, this::step, perEpoch, epochs, max, Map.of(), manager, Path.of("run"), RunLog.NONE);
    }

    @Test
    void callsEveryHookAtEachPointInOrder() {
        TrainingHook first = mock(TrainingHook.class);
        TrainingHook second = mock(TrainingHook.class);
        List<Long> seenAfterStep = new ArrayList<>();
        doAnswer(a -> seenAfterStep.add(a.<TrainingContext>getArgument(0).iteration()))
                .when(first)
                .afterStep(any(), any());
        TrainingLoop loop =
                loop(new FakeBatches(3), 3, 2, 6).hook("first", first).hook("second", second);

        loop.run();

        InOrder order = inOrder(first, second);
        order.verify(first).beforeTrain(loop);
        order.verify(second).beforeTrain(loop);
        for (int epoch = 0; epoch < 2; epoch++) {
            for (int i = 0; i < 3; i++) {
                order.verify(first).beforeStep(loop);
                order.verify(second).beforeStep(loop);
                order.verify(first).afterStep(any(), any());
                order.verify(second).afterStep(any(), any());
            }
            order.verify(first).afterEpoch(loop);
            order.verify(second).afterEpoch(loop);
        }
        order.verify(first).afterTrain(loop);
        order.verify(second).afterTrain(loop);
        assertThat(seenAfterStep).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(loop.losses()).containsExactly(1.0, 2.0, 3.0, 4.0, 5.0, 6.0);
        assertThat(loop.position()).isEqualTo(new TrainingLoop.Position(6, 2, 0));
    }

    @Test
    void aStepsArraysAreReleasedOnlyAfterEveryHookSawThem() {
        TrainingHook hook = mock(TrainingHook.class);
        loop(new FakeBatches(1), 1, 1, 1).hook("h", hook).run();
        InOrder order = inOrder(hook, steps.get(0));
        order.verify(hook).afterStep(any(), any());
        order.verify(steps.get(0)).close();
    }

    @Test
    void resumesAtItsPositionAndHandsEachHookOnlyItsOwnState() {
        TrainingHook ema = mock(TrainingHook.class);
        TrainingHook other = mock(TrainingHook.class);
        FakeBatches batches = new FakeBatches(4);
        TrainingLoop loop = loop(batches, 4, 2, 8).hook("ema-0", ema).hook("other", other);
        NDArray average = mock(NDArray.class);

        loop.resume(new TrainingLoop.Position(5, 1, 1), Map.of("ema-0/w", average));
        loop.run();

        verify(ema).loadState(Map.of("w", average));
        verify(other).loadState(Map.of());
        verify(average).attach(manager); // the run's: the hook may keep it
        assertThat(batches.starts).containsExactly("1:1");
        verify(ema, times(3)).afterStep(any(), any());
        verify(ema, times(1)).afterEpoch(loop);
    }

    @Test
    void passesThatEndBeforeTheEpochAreFollowedByTheNextPass() {
        // an epoch of 4 iterations over a data pass of 2 (data.train.repeat: 2)
        FakeBatches batches = new FakeBatches(2);
        TrainingHook hook = mock(TrainingHook.class);
        loop(batches, 4, 1, 4).hook("h", hook).run();
        assertThat(batches.starts).containsExactly("0:0", "0:2");
        verify(hook, times(4)).afterStep(any(), any());
        verify(hook, times(1)).afterEpoch(any());
    }

    @Test
    void aHookCanFinishEarlyAndTheEndHooksStillRun() {
        TrainingHook stopper = new TrainingHook() {
            @Override
            public void afterStep(TrainingContext run, StepOutcome step) {
                if (run.iteration() == 2) {
                    run.finishEarly("plateau");
                }
            }
        };
        TrainingHook watcher = mock(TrainingHook.class);
        TrainingLoop loop =
                loop(new FakeBatches(5), 5, 3, 15).hook("stop", stopper).hook("watch", watcher);
        loop.run();
        assertThat(loop.iteration()).isEqualTo(2);
        assertThat(loop.finishedEarly()).isEqualTo("plateau");
        verify(watcher, never()).afterEpoch(any());
        verify(watcher).afterTrain(loop);
    }

    @Test
    void theMaxIterationsEndTheRunMidEpoch() {
        TrainingHook hook = mock(TrainingHook.class);
        TrainingLoop loop = loop(new FakeBatches(5), 5, 3, 7).hook("h", hook);
        loop.run();
        assertThat(loop.position()).isEqualTo(new TrainingLoop.Position(7, 1, 2));
        verify(hook, times(1)).afterEpoch(any());
        ArgumentCaptor<StepOutcome> outcome = ArgumentCaptor.forClass(StepOutcome.class);
        verify(hook, times(7)).afterStep(any(), outcome.capture());
        assertThat(outcome.getValue().images()).isEqualTo(1);
    }

    @Test
    void aHookThatThrowsEndsTheRunWithoutTheEndHooks() {
        TrainingHook failing = mock(TrainingHook.class);
        doAnswer(a -> {
                    throw new TrainingFailedException("non-finite loss_cls");
                })
                .when(failing)
                .afterStep(any(), any());
        TrainingHook watcher = mock(TrainingHook.class);
        TrainingLoop loop =
                loop(new FakeBatches(3), 3, 1, 3).hook("guard", failing).hook("watch", watcher);
        assertThatThrownBy(loop::run).isInstanceOf(TrainingFailedException.class);
        verify(watcher, never()).afterStep(any(), any());
        verify(watcher, never()).afterTrain(any());
        verify(steps.get(0)).close();
    }

    @Test
    void twoHooksCannotShareAName() {
        TrainingLoop loop = loop(new FakeBatches(1), 1, 1, 1).hook("a", mock(TrainingHook.class));
        assertThatThrownBy(() -> loop.hook("a", mock(TrainingHook.class)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("two training hooks named a");
    }
}
