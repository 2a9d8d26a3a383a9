package org.retinanet.experiments.bench;

import java.util.List;
import java.util.Map;

/**
 * What one {@code retinanet bench} run measured. Times in milliseconds, memory in MiB.
 *
 * @param stepMs wall time of a whole step (median, p10, p90, ...)
 * @param imagesPerSecond batch / median step time
 * @param phases per phase: median and mean milliseconds and the share of the mean step time
 * @param hostPhasesShare share of the step spent in data, loss (anchors and target assignment
 *     included) and post-processing: the phases that hold all Java-side work (they also run engine
 *     ops, so this bounds the Java-side work from above)
 * @param memory resident memory and device memory
 * @param nonFiniteLosses timed training steps whose loss was not finite (random weights and
 *     targets; timing is unaffected but reported)
 */
public record BenchResult(
        String config,
        String mode,
        String device,
        int height,
        int width,
        int paddedHeight,
        int paddedWidth,
        int batch,
        int steps,
        int warmup,
        int numClasses,
        long parameters,
        Percentiles stepMs,
        double imagesPerSecond,
        Map<String, PhaseTime> phases,
        double hostPhasesShare,
        Memory memory,
        int nonFiniteLosses,
        MachineInfo machine,
        double[] loadAverageAtEnd,
        List<String> notes,
        String precision) {

    /** One phase: median and mean milliseconds per step and its share of the mean step. */
    public record PhaseTime(double medianMs, double meanMs, double share) {}

    /**
     * @param rssPeakMb VmHWM over the run (since the model was built, when the kernel allows resetting it)
     * @param rssAtEarlyStepMb RSS after timed step {@link BenchSettings#EARLY_STEP} (null when fewer steps)
     * @param rssAtEndMb RSS after the last timed step
     * @param rssGrowth (end - early) / early, null when fewer than EARLY_STEP steps
     * @param deviceUsedPeakMb GPU memory in use (whole device, sampled after forward and backward), null on CPU
     * @param heapCommittedAtEarlyStepMb the JVM heap's committed size at the early step (part of the RSS)
     * @param heapCommittedAtEndMb the JVM heap's committed size after the last step
     * @param modelArraysAfterWarmup NDArrays held by the model's manager (parameters, optimizer
     *     state) after warmup; more at the end means a step leaks arrays into it
     * @param modelArraysAtEnd the same after the last step
     */
    public record Memory(
            double rssPeakMb,
            double rssAfterWarmupMb,
            Double rssAtEarlyStepMb,
            double rssAtEndMb,
            Double rssGrowth,
            Double deviceUsedPeakMb,
            Double heapCommittedAtEarlyStepMb,
            double heapCommittedAtEndMb,
            int modelArraysAfterWarmup,
            int modelArraysAtEnd) {}
}
