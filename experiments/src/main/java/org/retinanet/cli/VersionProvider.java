package org.retinanet.cli;

import picocli.CommandLine.IVersionProvider;

/** Platform version from the jar manifest, plus the DJL version. */
public final class VersionProvider implements IVersionProvider {

    public static String platformVersion() {
        String v = VersionProvider.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    @Override
    public String[] getVersion() {
        return new String[] {"retinanet " + platformVersion() + " (DJL " + ai.djl.engine.Engine.getDjlVersion() + ")"};
    }
}
