package org.retinanet.experiments.run;

/** The platform's version, from the jar manifest ({@code dev} when run from classes). */
public final class PlatformVersion {

    private PlatformVersion() {}

    public static String get() {
        String v = PlatformVersion.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
