package org.retinanet.cli;

/** Process-wide settings applied before DJL loads: offline natives, no telemetry. */
final class Defaults {

    private Defaults() {}

    static void apply() {
        // natives come from the pytorch-native jar on the class path; never download
        System.setProperty("ai.djl.offline", "true");
        // DJL reads OPT_OUT_TRACKING from the environment; the launcher sets it, this covers java -jar
        System.setProperty("OPT_OUT_TRACKING", "true");
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        // a CPU-only machine with a CUDA build answers "driver insufficient" on every GPU probe
        System.setProperty("org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils", "error");
    }

    /**
     * libtorch 2.5.1's oneDNN AVX-512 convolution backward computes wrong, sometimes NaN, input
     * gradients for some shapes. Environment variables cannot be set from inside the JVM, so the
     * launcher sets ONEDNN_MAX_CPU_ISA=AVX; a bare {@code java -jar} gets this warning.
     */
    static void warnAboutOneDnn() {
        if (System.getenv("ONEDNN_MAX_CPU_ISA") == null && cpuHasAvx512()) {
            System.err.println("warning: ONEDNN_MAX_CPU_ISA is not set on an AVX-512 CPU; libtorch 2.5.1's AVX-512"
                    + " convolution gradients can be wrong there. Run through ./retinanet, or export ONEDNN_MAX_CPU_ISA=AVX.");
        }
    }

    private static boolean cpuHasAvx512() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/cpuinfo")).contains("avx512f");
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }
}
