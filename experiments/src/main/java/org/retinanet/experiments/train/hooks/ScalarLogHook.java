package org.retinanet.experiments.train.hooks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.List;
import org.retinanet.api.train.StepOutcome;
import org.retinanet.api.train.TrainingContext;
import org.retinanet.api.train.TrainingHook;

/**
 * TensorBoard scalars every iteration (losses, lr, gradient norm, speed, data time, positive and
 * negative anchors per image) and score histograms of positive and negative anchors every
 * {@code histogramInterval} iterations (the first included).
 */
public final class ScalarLogHook implements TrainingHook {

    private final int histogramInterval;

    public ScalarLogHook(int histogramInterval) {
        this.histogramInterval = histogramInterval;
    }

    @Override
    public void afterStep(TrainingContext run, StepOutcome step) {
        if ((run.iteration() - 1) % histogramInterval == 0) {
            for (String tag : List.of("scores_pos", "scores_neg")) {
                NDArray a = step.diagnostics().get(tag);
                if (a != null && a.size() > 0) {
                    run.histogram("train/" + tag, toDoubles(a));
                }
            }
        }
        step.losses().forEach((k, v) -> run.scalar("train/" + k, v));
        run.scalar("train/lr", run.learningRate());
        run.scalar("train/grad_norm", step.gradientNorm());
        run.scalar("train/images_per_sec", step.images() / step.stepSeconds());
        run.scalar("train/data_time", step.dataSeconds());
        perImage(run, step, "num_pos", "train/pos_per_image");
        perImage(run, step, "num_neg", "train/neg_per_image");
    }

    private static void perImage(TrainingContext run, StepOutcome step, String key, String tag) {
        NDArray count = step.diagnostics().get(key);
        if (count != null && step.diagnosticImages() > 0) {
            run.scalar(tag, count.toType(DataType.FLOAT64, false).getDouble() / step.diagnosticImages());
        }
    }

    private static double[] toDoubles(NDArray a) {
        float[] f = a.toType(DataType.FLOAT32, false).toFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
