package org.retinanet.backbones;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.retinanet.api.data.InputNormalization;
import org.retinanet.api.model.Backbone;
import org.retinanet.api.model.FeatureSpec;
import org.retinanet.api.model.TorchNames;
import org.retinanet.api.statedict.LoadReport;
import org.retinanet.api.statedict.StateDict;

/**
 * ResNet / ResNeXt as torchvision builds it (children {@code conv1, bn1, layer1..layer4}, so
 * {@link TorchNames} gives torchvision's state_dict keys without {@code fc.*}), returning the
 * stages of {@code outIndices} with mmdetection's freezing semantics:
 * <ul>
 *   <li>frozen stages (stem, then layer1..layerN) get no gradient and run in eval mode even in a
 *       training forward;
 *   <li>{@code normEval}: every BN uses, and never updates, its running statistics.
 * </ul>
 */
public final class ResNet extends AbstractBlock implements Backbone {

    private static final Shape POOL_KERNEL = new Shape(3, 3);
    private static final Shape POOL_STRIDE = new Shape(2, 2);
    private static final Shape POOL_PADDING = new Shape(1, 1);

    private final ResNetSettings settings;
    private final CheckpointImport checkpointImport;
    private final Conv2d conv1;
    private final Block bn1;
    private final List<ResLayer> layers = new ArrayList<>();
    /** Whether each parameter (by id) may train, as the config says; restored by freezeParameters(false). */
    private final Map<String, Boolean> trainableByConfig = new HashMap<>();

    public ResNet(ResNetSettings settings) {
        this.settings = settings;
        this.checkpointImport = new CheckpointImport(settings.norm().type());
        boolean stemFrozen = settings.frozenStages() >= 0;
        conv1 = addChildBlock("conv1", Convs.conv(ResNetSettings.STEM_CHANNELS, 7, 2, 3, 1));
        bn1 = addChildBlock("bn1", settings.norm().create(ResNetSettings.STEM_CHANNELS, stemFrozen, false));
        if (stemFrozen) {
            conv1.freezeParameters(true);
        }
        int inChannels = ResNetSettings.STEM_CHANNELS;
        for (int i = 0; i < ResNetSettings.STAGES; i++) {
            boolean frozen = isStageFrozen(i);
            ResLayer layer = addChildBlock("layer" + (i + 1), buildStage(i, inChannels, frozen));
            if (frozen) {
                layer.freezeParameters(true);
            }
            layers.add(layer);
            inChannels = settings.stageChannels(i);
        }
        for (Parameter p : getParameters().values()) {
            trainableByConfig.put(p.getId(), p.requiresGradient());
        }
    }

    private ResLayer buildStage(int stage, int inChannels, boolean frozen) {
        int planes = ResNetSettings.STEM_CHANNELS << stage;
        int stride = stage == 0 ? 1 : 2;
        NormOptions norm = settings.norm();
        ResLayer layer = new ResLayer();
        for (int b = 0; b < settings.stageBlocks().get(stage); b++) {
            int in = b == 0 ? inChannels : settings.stageChannels(stage);
            int s = b == 0 ? stride : 1;
            if (settings.bottleneck()) {
                layer.add(new Bottleneck(
                        in,
                        planes,
                        settings.bottleneckWidth(stage),
                        settings.groups(),
                        s,
                        settings.style(),
                        norm,
                        frozen,
                        settings.zeroInitResidual()));
            } else {
                layer.add(new BasicBlock(in, planes, s, norm, frozen, settings.zeroInitResidual()));
            }
        }
        return layer;
    }

    /** Stage {@code i} is 0-based here (layer{i+1}); frozenStages counts stages 1-based. */
    private boolean isStageFrozen(int i) {
        return i + 1 <= settings.frozenStages();
    }

    public ResNetSettings settings() {
        return settings;
    }

    @Override
    public List<FeatureSpec> outputFeatures() {
        List<FeatureSpec> specs = new ArrayList<>();
        for (int i : settings.outIndices()) {
            specs.add(new FeatureSpec("C" + (i + 2), settings.stageChannels(i), 4 << i));
        }
        return specs;
    }

    @Override
    public InputNormalization inputNormalization() {
        return settings.style().inputNormalization();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        checkInput(x.getShape());
        boolean stemTraining = training && settings.frozenStages() < 0;
        x = Convs.run(bn1, store, Convs.run(conv1, store, x, stemTraining), stemTraining);
        x = Pool.maxPool2d(Activation.relu(x), POOL_KERNEL, POOL_STRIDE, POOL_PADDING, false);
        NDList outputs = new NDList();
        List<Integer> wanted = settings.outIndices();
        int last = wanted.get(wanted.size() - 1);
        for (int i = 0; i <= last; i++) {
            x = Convs.run(layers.get(i), store, x, training && !isStageFrozen(i));
            if (wanted.contains(i)) {
                outputs.add(x);
            }
        }
        return outputs;
    }

    private void checkInput(Shape shape) {
        if (shape.dimension() != 4 || shape.get(1) != 3) {
            throw new IllegalArgumentException(
                    settings.name() + ": expects images of shape (N, 3, H, W), got " + shape);
        }
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        checkInput(inputShapes[0]);
        Shape shape = Convs.init(bn1, manager, dataType, Convs.init(conv1, manager, dataType, inputShapes[0]));
        shape = pooled(shape);
        for (ResLayer layer : layers) {
            shape = Convs.init(layer, manager, dataType, shape);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        checkInput(inputs[0]);
        Shape shape = pooled(Convs.outputShape(conv1, inputs[0]));
        List<Shape> outputs = new ArrayList<>();
        for (int i = 0; i <= settings.outIndices().get(settings.outIndices().size() - 1); i++) {
            shape = Convs.outputShape(layers.get(i), shape);
            if (settings.outIndices().contains(i)) {
                outputs.add(shape);
            }
        }
        return outputs.toArray(new Shape[0]);
    }

    /** Output of the 3x3/2 max pool with padding 1. */
    private static Shape pooled(Shape s) {
        return new Shape(s.get(0), s.get(1), (s.get(2) - 1) / 2 + 1, (s.get(3) - 1) / 2 + 1);
    }

    /**
     * Freezing everything works as usual; unfreezing restores what the config allows, so frozen
     * stages, frozen norms and running statistics never become trainable by accident.
     */
    @Override
    public void freezeParameters(boolean freeze) {
        for (Parameter p : getParameters().values()) {
            p.freeze(freeze || !trainableByConfig.getOrDefault(p.getId(), true));
        }
    }

    /** Number of torch parameters (running statistics are buffers in torch and not counted). */
    public long parameterCount() {
        return ParameterCounts.parameters(this);
    }

    @Override
    public String importKey(String flavour, String key) {
        return checkpointImport.importKey(flavour, key);
    }

    @Override
    public Optional<LoadReport> loadPretrained(NDManager manager) throws IOException {
        String checkpoint = settings.init().checkpoint();
        if (checkpoint == null) {
            return Optional.empty();
        }
        Path file = Path.of(checkpoint);
        if (!Files.isRegularFile(file)) {
            throw new IOException("init.checkpoint " + file + ": no such file");
        }
        try (StateDict stateDict = StateDict.read(file, manager)) {
            return Optional.of(stateDict.loadInto(
                    TorchNames.parameters(this),
                    checkpointImport.options(
                            stateDict.tensors().keySet(), settings.init().strict())));
        }
    }

    @Override
    public String toString() {
        return "ResNet(" + settings.name() + ", " + settings.style().name().toLowerCase() + ", out "
                + outputFeatures().stream().map(FeatureSpec::name).toList() + ")";
    }
}
