package org.retinanet.cli;

import java.util.ArrayList;
import java.util.List;
import org.retinanet.api.registry.Registry;
import org.retinanet.experiments.config.Experiment;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code -c/--config} and {@code --set}, the same in every command that reads an experiment config. */
final class ConfigOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(
            names = {"-c", "--config"},
            paramLabel = "FILE|PRESET",
            description = "Config file or preset name" + " (`retinanet inspect --presets` lists the presets).")
    String config;

    @Option(
            names = "--set",
            paramLabel = "KEY=VALUE",
            description = "Override a config value: dotted path, YAML value" + " (repeatable; applied after the file).")
    List<String> overrides = new ArrayList<>();

    /** The config, which this command cannot do without. */
    String required() {
        if (config == null) {
            throw new ParameterException(command.commandLine(), "Missing required option: '--config=FILE|PRESET'");
        }
        return config;
    }

    /** The config's name: a preset's, or its file's without the extension. */
    String name() {
        String file = java.nio.file.Path.of(required()).getFileName().toString();
        int dot = file.lastIndexOf('.');
        return dot > 0 ? file.substring(0, dot) : file;
    }

    /** The experiment the options name: the config with the overrides applied. */
    Experiment load(Registry registry) {
        return Experiment.load(required(), overrides, registry);
    }
}
