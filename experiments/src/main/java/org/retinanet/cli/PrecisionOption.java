package org.retinanet.cli;

import org.retinanet.api.registry.UserException;
import org.retinanet.experiments.config.Precision;
import picocli.CommandLine.Option;

/** {@code --precision}: what a command's forward pass computes in. */
final class PrecisionOption {

    @Option(
            names = "--precision",
            paramLabel = "fp32|fp16|bf16",
            description = "Compute in fp32 (default), fp16 or bf16: half-precision weights and activations, norm"
                    + " layers and post-processing in float32. On a CPU fp16 is much slower (no fast kernels);"
                    + " bf16 is fast where the CPU has AVX-512 BF16 or AMX.")
    String precision = "fp32";

    Precision get() {
        return parse(precision);
    }

    static Precision parse(String value) {
        try {
            return Precision.parse(value, "--precision");
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage(), e);
        }
    }
}
