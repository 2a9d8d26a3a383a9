package org.retinanet.cli;

import picocli.CommandLine.IVersionProvider;

/** Platform version from the jar manifest, plus the DJL version. */
public final class VersionProvider implements IVersionProvider {

    public static String platformVersion() {
        return org.retinanet.experiments.run.PlatformVersion.get();
    }

    @Override
    public String[] getVersion() {
        return new String[] {"retinanet " + platformVersion() + " (DJL " + ai.djl.engine.Engine.getDjlVersion() + ")"};
    }
}
