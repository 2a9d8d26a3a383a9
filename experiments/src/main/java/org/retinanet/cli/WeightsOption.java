package org.retinanet.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --weights}, the same in every command that loads a whole detector. */
final class WeightsOption {

    @Option(
            names = "--weights",
            paramLabel = "FILE",
            description = "Whole-detector checkpoint: torchvision state_dict, mmdetection checkpoint or our"
                    + " .safetensors (default: the config's model.init).")
    Path weights;
}
