package org.retinanet.experiments.train;

import java.util.List;
import org.retinanet.experiments.config.TrainConfig;

/**
 * mmdetection's learning rate: linear warmup per iteration (mmengine LinearLR, by_epoch=False:
 * factor = r + (1 - r) * it / warmupIters until warmupIters) times step decay per epoch
 * (MultiStepLR: multiplied by gamma once for every milestone m with epoch >= m, epochs 0-based).
 */
public record LrSchedule(double baseLr, int warmupIters, double warmupRatio, List<Integer> steps, double gamma) {

    public static LrSchedule of(TrainConfig train, int totalBatch) {
        double lr = train.lr();
        if (train.autoScaleLr()) {
            lr = lr * totalBatch / train.baseBatchSize();
        }
        return new LrSchedule(lr, train.warmupIters(), train.warmupRatio(), train.steps(), train.stepGamma());
    }

    /** Learning rate at global iteration {@code iter} (0-based) within 0-based {@code epoch}. */
    public double lr(long iter, int epoch) {
        double factor = 1.0;
        if (iter < warmupIters) {
            factor = warmupRatio + (1.0 - warmupRatio) * iter / warmupIters;
        }
        double decay = 1.0;
        for (int milestone : steps) {
            if (epoch >= milestone) {
                decay *= gamma;
            }
        }
        return baseLr * factor * decay;
    }
}
