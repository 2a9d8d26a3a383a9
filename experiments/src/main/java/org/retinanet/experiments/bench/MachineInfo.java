package org.retinanet.experiments.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a measurement was taken: CPU model, logical CPUs, the load average (other processes on a
 * shared machine make timings noisy), the engine's intra-op threads and the oneDNN ISA cap.
 */
public record MachineInfo(
        String cpuModel, int cpus, double[] loadAverage, int intraOpThreads, String oneDnnMaxCpuIsa, String engine) {

    public static MachineInfo now(int intraOpThreads, String engine) {
        return new MachineInfo(
                readCpuModel(),
                Runtime.getRuntime().availableProcessors(),
                currentLoadAverage(),
                intraOpThreads,
                System.getenv("ONEDNN_MAX_CPU_ISA") == null ? "default" : System.getenv("ONEDNN_MAX_CPU_ISA"),
                engine);
    }

    /** The 1, 5 and 15 minute load averages, or empty where /proc/loadavg is missing. */
    public static double[] currentLoadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2])};
        } catch (IOException | RuntimeException e) {
            return new double[0];
        }
    }

    static String readCpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return System.getProperty("os.arch");
    }
}
