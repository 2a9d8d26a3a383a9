package org.retinanet.experiments.bench;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;
import java.io.IOException;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Process memory as the kernel sees it (native libtorch allocations included, which the JVM's own
 * counters miss): resident set size and its high-water mark from {@code /proc/self/status}; on a
 * GPU the device's used memory as CUDA reports it (whole device, not only this process).
 */
public final class MemoryProbe {

    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    private MemoryProbe() {}

    /** Current resident set size in bytes (VmRSS), or -1 where /proc is not available. */
    public static long rssBytes() {
        return statusField("VmRSS:");
    }

    /** Peak resident set size in bytes (VmHWM) since start or the last {@link #resetPeak()}, or -1. */
    public static long peakRssBytes() {
        return statusField("VmHWM:");
    }

    /**
     * Resets the peak RSS to the current RSS (Linux: "5" into clear_refs), so that one process can
     * measure several models in turn. Returns false where the kernel does not allow it.
     */
    public static boolean resetPeak() {
        try {
            Files.writeString(CLEAR_REFS, "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Committed JVM heap in bytes: Java's own share of the RSS, which grows until the collector runs. */
    public static long heapCommittedBytes() {
        return java.lang.management.ManagementFactory.getMemoryMXBean()
                .getHeapMemoryUsage()
                .getCommitted();
    }

    /** Used memory of a GPU in bytes, or -1 on CPU or when CUDA cannot say. */
    public static long deviceUsedBytes(Device device) {
        if (!device.isGpu()) {
            return -1;
        }
        try {
            MemoryUsage usage = CudaUtils.getGpuMemory(device);
            return usage.getUsed();
        } catch (RuntimeException | LinkageError e) {
            return -1;
        }
    }

    private static long statusField(String field) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(field)) {
                    String[] parts = line.substring(field.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024L; // the kernel reports kB
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
