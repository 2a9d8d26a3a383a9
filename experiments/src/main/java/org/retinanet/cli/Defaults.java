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
    }
}
