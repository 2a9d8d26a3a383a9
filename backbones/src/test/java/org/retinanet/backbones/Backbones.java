package org.retinanet.backbones;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.retinanet.testing.Fixtures;

/** Test helpers: building configs, running a backbone, reading fixtures, comparing outputs. */
final class Backbones {

    private Backbones() {}

    /** A resnet config; zero-init residual is off so that every random-init branch gets gradients. */
    static ResNetConfig resnet(
            int depth, Style style, Integer frozenStages, Boolean normEval, NormType norm, String checkpoint) {
        return new ResNetConfig(
                depth,
                style,
                null,
                frozenStages,
                normEval,
                norm,
                null,
                null,
                null,
                false,
                checkpoint == null ? null : new InitConfig(checkpoint, null));
    }

    static ResNet build(ResNetConfig config) {
        return (ResNet) new ResNetFactory().create(config);
    }

    /** Initialises every parameter with zeros (cheap): only names, shapes and counts are needed. */
    static void initializeCheaply(ResNet backbone, NDManager manager) {
        backbone.setInitializer(Initializer.ZEROS, p -> true);
        backbone.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 64, 64));
    }

    static NDList forward(ResNet backbone, NDManager manager, NDArray x, boolean training) {
        return backbone.forward(new ParameterStore(manager, false), new NDList(x), training);
    }

    static Path fixture(String name) {
        return Fixtures.generated("backbones/" + name);
    }

    static Map<String, NDArray> npz(NDManager manager, String name) throws IOException {
        Map<String, NDArray> out = new HashMap<>();
        try (InputStream in = Files.newInputStream(fixture(name))) {
            for (NDArray a : NDList.decode(manager, in)) {
                out.put(a.getName(), a);
            }
        }
        return out;
    }

    /** max |actual - expected| / max |expected|. */
    static double relativeError(NDArray actual, NDArray expected) {
        if (!actual.getShape().equals(expected.getShape())) {
            throw new AssertionError("shape " + actual.getShape() + " != expected " + expected.getShape());
        }
        double scale = expected.abs().max().getFloat();
        return actual.sub(expected).abs().max().getFloat() / Math.max(scale, 1e-12);
    }

    static List<String> stageNames() {
        return List.of("c2", "c3", "c4", "c5");
    }
}
