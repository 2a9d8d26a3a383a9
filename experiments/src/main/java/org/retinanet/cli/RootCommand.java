package org.retinanet.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.retinanet.api.registry.Registry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** {@code retinanet}: the research platform's command line. */
@Command(
        name = "retinanet",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Dense object detection research on DJL: RetinaNet, the focal loss and their ablations.",
        subcommands = {
            DemoCommand.class,
            PluginsCommand.class,
            InspectCommand.class,
            TrainCommand.class,
            GridCommand.class,
            ReportCommand.class,
            PredictCommand.class,
            LossCommand.class,
            ConvertCommand.class,
            EvaluateCommand.class,
            BenchCommand.class,
            DoctorCommand.class
        })
public final class RootCommand implements Runnable {

    @Option(
            names = "--plugins",
            scope = ScopeType.INHERIT,
            paramLabel = "DIR",
            description = "Directory of plugin jars to load (repeatable; also $RETINANET_PLUGINS).")
    List<Path> pluginDirs = new ArrayList<>();

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Print stack traces on errors.")
    boolean verbose;

    private Registry registry;

    /** The registry of every discovered plugin, created on first use. */
    Registry registry() {
        if (registry == null) {
            registry = Registry.create(pluginDirs);
        }
        return registry;
    }

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }
}
