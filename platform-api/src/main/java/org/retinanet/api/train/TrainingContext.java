package org.retinanet.api.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Map;

/** What a {@link TrainingHook} sees of the run: its position, its weights, and its logs. */
public interface TrainingContext {

    /** Iterations done so far (0 before the first). */
    long iteration();

    /** Epochs done so far. */
    int epoch();

    /** The iteration at which this run ends (the schedule's end or {@code --max-iters}). */
    long maxIterations();

    int iterationsPerEpoch();

    /** The learning rate of the current (or last) iteration. */
    double learningRate();

    /** The model's weights and running statistics by checkpoint key; live arrays, change them only between steps. */
    Map<String, NDArray> weights();

    /** A manager that lives as long as the run, for a hook's own arrays. */
    NDManager manager();

    Path runDirectory();

    /** A TensorBoard scalar at the current iteration. */
    void scalar(String tag, double value);

    /** A TensorBoard histogram at the current iteration. */
    void histogram(String tag, double[] values);

    /**
     * Ends training after this iteration as if the schedule ended (early stopping): the final
     * checkpoint and evaluation still run, and the reason goes into the run's manifest.
     */
    void finishEarly(String reason);
}
