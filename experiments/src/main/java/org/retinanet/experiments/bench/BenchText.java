package org.retinanet.experiments.bench;

import java.util.Map;

/** The human-readable report of one bench run. */
public final class BenchText {

    private BenchText() {}

    public static String format(BenchResult r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                "bench %s: %s in %s on %s, batch %d of %dx%d (padded %dx%d), %d classes, %.1fM parameters,"
                        + " %d warmup + %d timed steps%n",
                r.config(),
                r.mode(),
                r.precision(),
                r.device(),
                r.batch(),
                r.height(),
                r.width(),
                r.paddedHeight(),
                r.paddedWidth(),
                r.numClasses(),
                r.parameters() / 1e6,
                r.warmup(),
                r.steps()));
        Percentiles s = r.stepMs();
        sb.append(String.format(
                "step time: median %.1f ms (p10 %.1f, p90 %.1f, min %.1f, max %.1f); %.2f images/s%n",
                s.median(), s.p10(), s.p90(), s.min(), s.max(), r.imagesPerSecond()));
        sb.append("phases (median ms, share of the mean step):\n");
        for (Map.Entry<String, BenchResult.PhaseTime> e : r.phases().entrySet()) {
            sb.append(String.format(
                    "  %-12s %10.2f  %5.1f%%%n",
                    e.getKey(), e.getValue().medianMs(), 100 * e.getValue().share()));
        }
        sb.append(String.format(
                "host-side phases (data + loss/assignment + post-processing): %.1f%% of the step%n",
                100 * r.hostPhasesShare()));
        BenchResult.Memory m = r.memory();
        sb.append(String.format(
                "memory: peak RSS %.0f MiB; RSS after warmup %.0f MiB", m.rssPeakMb(), m.rssAfterWarmupMb()));
        if (m.rssAtEarlyStepMb() != null) {
            sb.append(String.format(
                    ", after step %d %.1f MiB, after step %d %.1f MiB (growth %+.2f%%)",
                    BenchSettings.EARLY_STEP, m.rssAtEarlyStepMb(), r.steps(), m.rssAtEndMb(), 100 * m.rssGrowth()));
        } else {
            sb.append(String.format(", after the last step %.0f MiB", m.rssAtEndMb()));
        }
        if (m.deviceUsedPeakMb() != null) {
            sb.append(String.format("; device memory in use (peak sample) %.0f MiB", m.deviceUsedPeakMb()));
        }
        sb.append('\n');
        if (r.nonFiniteLosses() > 0) {
            sb.append(r.nonFiniteLosses())
                    .append(" timed step(s) had a non-finite loss (random weights and targets)\n");
        }
        MachineInfo mi = r.machine();
        sb.append(String.format(
                "machine: %s, %d CPUs, %s, intra-op threads %d, ONEDNN_MAX_CPU_ISA=%s, load average %s"
                        + " (start) / %s (end)%n",
                mi.cpuModel(),
                mi.cpus(),
                mi.engine(),
                mi.intraOpThreads(),
                mi.oneDnnMaxCpuIsa(),
                PublishedTableBench.load(mi.loadAverage()),
                PublishedTableBench.load(r.loadAverageAtEnd())));
        for (String note : r.notes()) {
            sb.append("note: ").append(note).append('\n');
        }
        return sb.toString();
    }
}
