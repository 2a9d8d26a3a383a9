package org.retinanet.cli;

/** Process-wide settings applied before DJL loads: offline natives, no telemetry. */
final class Defaults {

    private Defaults() {}

    static void apply() {
        // natives come from the pytorch-native jar on the class path: never download. A CUDA build
        // (PYTORCH_FLAVOR=cu128) may fill DJL's cache once, unless the user says -Dai.djl.offline=true
        if (System.getProperty("ai.djl.offline") == null && System.getenv("PYTORCH_FLAVOR") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        // DJL reads OPT_OUT_TRACKING from the environment; the launcher sets it, this covers java -jar
        System.setProperty("OPT_OUT_TRACKING", "true");
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        // a CPU-only machine with a CUDA build answers "driver insufficient" on every GPU probe
        System.setProperty("org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils", "error");
    }
}
