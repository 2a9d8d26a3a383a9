package org.retinanet.cli;

import picocli.CommandLine.Option;

/** {@code --device}, the same in every command that computes. */
final class DeviceOption {

    @Option(names = "--device", paramLabel = "cpu|gpu|gpu:N", description = "Device (overrides the config's).")
    String device;
}
