package org.retinanet.experiments.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.retinanet.experiments.config.TrainConfig;

/**
 * The learning rate against mmdetection 3 / mmengine's schedulers as they compute it: LinearLR
 * (by_epoch=False, start_factor 0.001, end 500) and MultiStepLR (by_epoch=True) are both
 * "chainable" and multiply the optimizer's current lr step by step. The reference here replays
 * those recursive updates iteration by iteration; LrSchedule uses the closed form.
 */
class LrScheduleTest {

    private static TrainConfig train(
            double lr, int warmupIters, double warmupRatio, List<Integer> steps, boolean autoScale, int baseBatch) {
        return new TrainConfig(
                12,
                lr,
                null,
                null,
                warmupIters,
                warmupRatio,
                steps,
                0.1,
                null,
                autoScale,
                baseBatch,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null);
    }

    /** mmengine's recursive schedule: lr used at every iteration of {@code epochs} epochs. */
    private static double[] mmengineLrs(
            double baseLr,
            int warmupIters,
            double startFactor,
            List<Integer> milestones,
            double gamma,
            int itersPerEpoch,
            int epochs) {
        double[] out = new double[itersPerEpoch * epochs];
        double lr = baseLr;
        // LinearLR at last_step 0: lr * start_factor
        if (warmupIters > 0) {
            lr *= startFactor;
        }
        int linearStep = 0;
        int epochStep = 0;
        for (int it = 0; it < out.length; it++) {
            out[it] = lr;
            // after the iteration: LinearLR.step() (iteration-based)
            linearStep++;
            if (warmupIters > 0 && linearStep <= warmupIters) {
                lr *= 1 + (1 - startFactor) / (warmupIters * startFactor + (linearStep - 1) * (1 - startFactor));
            }
            // after the epoch's last iteration: MultiStepLR.step() (epoch-based)
            if ((it + 1) % itersPerEpoch == 0) {
                epochStep++;
                if (milestones.contains(epochStep)) {
                    lr *= gamma;
                }
            }
        }
        return out;
    }

    @Test
    void warmupAndStepsMatchMmengineAtEveryIteration() {
        // 40 iterations per epoch: the first milestone (epoch 8 = iteration 320) falls inside the warmup
        for (int itersPerEpoch : new int[] {40, 100}) {
            LrSchedule s = LrSchedule.of(train(0.01, 500, 0.001, List.of(8, 11), false, 16), 16);
            double[] ref = mmengineLrs(0.01, 500, 0.001, List.of(8, 11), 0.1, itersPerEpoch, 12);
            for (int it = 0; it < ref.length; it++) {
                double got = s.lr(it, it / itersPerEpoch);
                assertThat(got)
                        .as("iteration %d, %d iterations per epoch", it, itersPerEpoch)
                        .isCloseTo(ref[it], within(1e-9 * ref[it]));
            }
        }
    }

    @Test
    void chosenIterationsOfThe1xSchedule() {
        LrSchedule s = LrSchedule.of(TrainConfig.defaults(), 16);
        // mmdetection: lr = 0.01 * (1 - (1 - it/500) * 0.999)
        assertThat(s.lr(0, 0)).isCloseTo(1e-5, within(1e-15));
        assertThat(s.lr(1, 0)).isCloseTo(0.01 * (0.001 + 0.999 / 500), within(1e-15));
        assertThat(s.lr(250, 0)).isCloseTo(0.005005, within(1e-15));
        assertThat(s.lr(499, 0)).isCloseTo(0.01 * (1 - (1 - 499 / 500.0) * 0.999), within(1e-15));
        assertThat(s.lr(500, 0)).isEqualTo(0.01);
        assertThat(s.lr(7330 * 8 - 1, 7)).isEqualTo(0.01);
        // epochs 9-11 (0-based 8-10) at 1e-3, epoch 12 (0-based 11) at 1e-4
        assertThat(s.lr(7330 * 8, 8)).isCloseTo(1e-3, within(1e-15));
        assertThat(s.lr(7330 * 11 - 1, 10)).isCloseTo(1e-3, within(1e-15));
        assertThat(s.lr(7330 * 11, 11)).isCloseTo(1e-4, within(1e-16));
    }

    @Test
    void autoScaleLrScalesWithTheTotalBatch() {
        // --auto-scale-lr: lr * real batch / base_batch_size (16)
        assertThat(LrSchedule.of(train(0.01, 500, 0.001, List.of(8, 11), true, 16), 2)
                        .lr(600, 0))
                .isCloseTo(0.00125, within(1e-15));
        assertThat(LrSchedule.of(train(0.01, 500, 0.001, List.of(8, 11), true, 16), 32)
                        .lr(600, 9))
                .isCloseTo(0.002, within(1e-15));
        // R-18 1xb8: lr 0.005 for base batch 8, so batch 8 keeps it and batch 16 doubles it
        assertThat(LrSchedule.of(train(0.005, 500, 0.001, List.of(8, 11), true, 8), 8)
                        .lr(600, 0))
                .isEqualTo(0.005);
        assertThat(LrSchedule.of(train(0.005, 500, 0.001, List.of(8, 11), true, 8), 16)
                        .lr(600, 0))
                .isEqualTo(0.01);
        // disabled (mmdetection's default): the batch does not matter; it also scales the warmup start
        assertThat(LrSchedule.of(train(0.01, 500, 0.001, List.of(8, 11), false, 16), 2)
                        .lr(600, 0))
                .isEqualTo(0.01);
        assertThat(LrSchedule.of(train(0.01, 500, 0.001, List.of(8, 11), true, 16), 4)
                        .lr(0, 0))
                .isCloseTo(0.0025 * 0.001, within(1e-18));
    }

    @Test
    void noWarmupAndThe3xRepeatSchedule() {
        LrSchedule none = LrSchedule.of(train(0.02, 0, 0.001, List.of(8, 11), false, 16), 16);
        assertThat(none.lr(0, 0)).isEqualTo(0.02);
        // 3x ms: RepeatDataset x3, milestones [9, 11] in repeated epochs
        LrSchedule ms = LrSchedule.of(train(0.01, 500, 0.001, List.of(9, 11), false, 16), 16);
        double[] ref = mmengineLrs(0.01, 500, 0.001, List.of(9, 11), 0.1, 3 * 50, 12);
        for (int it = 0; it < ref.length; it += 7) {
            assertThat(ms.lr(it, it / 150)).as("iteration %d", it).isCloseTo(ref[it], within(1e-9 * ref[it]));
        }
        assertThat(ms.lr(150 * 9, 9)).isCloseTo(1e-3, within(1e-15));
    }
}
