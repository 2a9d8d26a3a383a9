package org.retinanet.cli;

import ai.djl.ndarray.NDArray;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.retinanet.api.model.TorchNames;
import org.retinanet.api.registry.UserException;
import org.retinanet.api.statedict.StateDict;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code retinanet convert}: loads weights of any supported flavour into the config's model and
 * writes every parameter (running statistics included) under our native keys, which are
 * mmdetection's, as {@code .safetensors}.
 */
@Command(
        name = "convert",
        mixinStandardHelpOptions = true,
        description = "Load a torchvision or mmdetection checkpoint into the config's model and write all its"
                + " parameters with native (mmdetection) key names as .safetensors.")
final class ConvertCommand implements Callable<Integer> {

    @ParentCommand
    RootCommand root;

    @Mixin
    ConfigOptions configOptions;

    @Mixin
    WeightsOption weightsOption;

    @Option(names = "--out", required = true, paramLabel = "FILE.safetensors", description = "File to write.")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (!out.getFileName().toString().endsWith(".safetensors")) {
            throw new UserException("--out " + out + ": the output is a .safetensors file; name it *.safetensors");
        }
        try (LoadedModel model = LoadedModel.open(
                root.registry(), configOptions.required(), configOptions.overrides, weightsOption.weights, "cpu")) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            TorchNames.parameters(model.detector).forEach((k, p) -> tensors.put(k, p.getArray()));
            StateDict.writeSafetensors(tensors, out);
            long values = tensors.values().stream().mapToLong(NDArray::size).sum();
            System.out.printf(
                    "wrote %d tensors (%,d values, %s keys in, native keys out) to %s%n",
                    tensors.size(), values, model.flavour, out);
            return 0;
        }
    }
}
