package org.retinanet.necks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import org.retinanet.api.model.FeatureSpec;
import org.retinanet.api.model.Neck;
import org.retinanet.api.nn.ConvModule;
import org.retinanet.api.registry.UserException;
import org.retinanet.necks.FpnConfig.ExtraSource;

/**
 * Feature pyramid network as mmdetection builds it: {@code lateral_convs.i} (1x1) on the used
 * backbone features, a top-down pass adding each level's lateral to the nearest-upsampled level
 * above it (upsampled to the lower level's exact size), {@code fpn_convs.i} (3x3) on the sums,
 * then {@code numOuts - used} extra levels: stride-2 3x3 convs {@code fpn_convs.used..} (the first
 * on C5, the top lateral or P5), or max-pool stride 2 when extra convs are off.
 *
 * <p>Forward: the backbone's features in order (all of them; {@code startLevel} skips the first
 * ones) to {@code numOuts} maps P3, P4, ... Parameter keys are mmdetection's; torchvision's keys
 * are mapped by {@link #importKey}.
 */
public final class Fpn extends AbstractBlock implements Neck {

    private final FpnConfig config;
    private final List<FeatureSpec> inputs;
    private final int used;
    private final List<ConvModule> lateralConvs = new ArrayList<>();
    private final List<ConvModule> fpnConvs = new ArrayList<>();
    private final List<FeatureSpec> outputs;

    public Fpn(FpnConfig config, List<FeatureSpec> inputs) {
        this.config = config;
        this.inputs = List.copyOf(inputs);
        // the config must fit the backbone's features: both are the user's choice, so bad input
        int start = config.startLevel();
        if (start >= inputs.size()) {
            throw new UserException("model.neck.startLevel " + start + " is past the backbone's " + inputs.size()
                    + " features " + names(inputs));
        }
        used = inputs.size() - start;
        if (config.numOuts() < used) {
            throw new UserException("model.neck.numOuts " + config.numOuts() + " is less than the "
                    + used + " backbone features it uses " + names(inputs.subList(start, inputs.size()))
                    + " (startLevel " + start + "); raise numOuts or startLevel");
        }
        int groups = config.groupNorm() ? config.numGroups() : 0;
        int out = config.outChannels();
        ConvModuleList laterals = addChildBlock("lateral_convs", new ConvModuleList());
        ConvModuleList fpns = addChildBlock("fpn_convs", new ConvModuleList());
        Initializer init = weightInit(config.init());
        for (int i = 0; i < used; i++) {
            lateralConvs.add(laterals.add(conv(out, 1, 1, groups, init)));
            fpnConvs.add(fpns.add(conv(out, 3, 1, groups, init)));
        }
        if (config.extraSource() != ExtraSource.NONE) {
            for (int i = used; i < config.numOuts(); i++) {
                fpnConvs.add(fpns.add(conv(out, 3, 2, groups, init)));
            }
        }
        outputs = outputSpecs(inputs.subList(start, inputs.size()), out, config.numOuts());
    }

    /** mmcv's ConvModule without activation; padding keeps the size (kernel 1 or 3). */
    private static ConvModule conv(int outChannels, int kernel, int stride, int groups, Initializer init) {
        return ConvModule.builder()
                .setFilters(outChannels)
                .setKernel(kernel)
                .optStride(stride)
                .optPadding(kernel / 2)
                .optGroupNorm(groups)
                .optWeightInitializer(init)
                .build();
    }

    /** xavier_uniform (gain 1): U(+-sqrt(6/(fanIn+fanOut))); kaiming_uniform(a=1): U(+-sqrt(3/fanIn)). */
    private static Initializer weightInit(String init) {
        return switch (init) {
            case "xavier" ->
                new XavierInitializer(XavierInitializer.RandomType.UNIFORM, XavierInitializer.FactorType.AVG, 3f);
            case "kaiming" ->
                new XavierInitializer(XavierInitializer.RandomType.UNIFORM, XavierInitializer.FactorType.IN, 3f);
            default -> throw new IllegalArgumentException("fpn: unknown init '" + init + "'");
        };
    }

    private static List<FeatureSpec> outputSpecs(List<FeatureSpec> usedInputs, int channels, int numOuts) {
        List<FeatureSpec> specs = new ArrayList<>();
        int stride = 0;
        for (int i = 0; i < numOuts; i++) {
            stride = i < usedInputs.size() ? usedInputs.get(i).stride() : stride * 2;
            specs.add(new FeatureSpec(levelName(stride, i), channels, stride));
        }
        return List.copyOf(specs);
    }

    /** P{log2 stride} (P3 for stride 8); strides that are not powers of two fall back to P{index}. */
    private static String levelName(int stride, int index) {
        return Integer.bitCount(stride) == 1 ? "P" + Integer.numberOfTrailingZeros(stride) : "P" + index;
    }

    private static List<String> names(List<FeatureSpec> specs) {
        return specs.stream()
                .map(s -> s.name() + "(" + s.channels() + "ch, stride " + s.stride() + ")")
                .toList();
    }

    public FpnConfig config() {
        return config;
    }

    @Override
    public List<FeatureSpec> outputFeatures() {
        return outputs;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList features, boolean training, PairList<String, Object> params) {
        if (features.size() != inputs.size()) {
            throw new IllegalArgumentException("fpn: expected " + inputs.size() + " backbone features " + names(inputs)
                    + ", got " + features.size());
        }
        int start = config.startLevel();
        NDArray[] laterals = new NDArray[used];
        for (int i = 0; i < used; i++) {
            laterals[i] = lateralConvs
                    .get(i)
                    .forward(store, new NDList(features.get(start + i)), training, params)
                    .head();
        }
        for (int i = used - 1; i > 0; i--) {
            Shape below = laterals[i - 1].getShape();
            laterals[i - 1] = laterals[i - 1].add(NearestUpsample.toSize(laterals[i], below.get(2), below.get(3)));
        }
        NDList outs = new NDList(config.numOuts());
        for (int i = 0; i < used; i++) {
            outs.add(fpnConvs.get(i)
                    .forward(store, new NDList(laterals[i]), training, params)
                    .head());
        }
        for (int i = used; i < config.numOuts(); i++) {
            NDArray below = outs.get(i - 1);
            NDArray level;
            if (config.extraSource() == ExtraSource.NONE) {
                level = below.get(":, :, ::2, ::2"); // max_pool2d(kernel 1, stride 2)
            } else {
                NDArray source = i == used
                        ? firstExtraSource(features, laterals, below)
                        : config.reluBeforeExtraConvs() ? Activation.relu(below) : below;
                level = fpnConvs.get(i)
                        .forward(store, new NDList(source), training, params)
                        .head();
            }
            outs.add(level);
        }
        return outs;
    }

    private NDArray firstExtraSource(NDList features, NDArray[] laterals, NDArray topOutput) {
        return switch (config.extraSource()) {
            case ON_INPUT -> features.get(features.size() - 1);
            case ON_LATERAL -> laterals[used - 1];
            case ON_OUTPUT -> topOutput;
            case NONE -> throw new IllegalStateException("no extra convs");
        };
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape[] outShapes = getOutputShapes(inputShapes);
        int start = config.startLevel();
        for (int i = 0; i < used; i++) {
            lateralConvs.get(i).initialize(manager, dataType, inputShapes[start + i]);
            fpnConvs.get(i).initialize(manager, dataType, lateralConvs.get(i).getOutputShapes(new Shape[] {
                inputShapes[start + i]
            }));
        }
        if (config.extraSource() != ExtraSource.NONE) {
            for (int i = used; i < config.numOuts(); i++) {
                Shape source = i == used && config.extraSource() == ExtraSource.ON_INPUT
                        ? inputShapes[inputShapes.length - 1]
                        : outShapes[i - 1];
                fpnConvs.get(i).initialize(manager, dataType, source);
            }
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        if (inputShapes.length != inputs.size()) {
            throw new IllegalArgumentException(
                    "fpn: expected " + inputs.size() + " input shapes, got " + inputShapes.length);
        }
        Shape[] out = new Shape[config.numOuts()];
        long batch = inputShapes[0].get(0);
        for (int i = 0; i < config.numOuts(); i++) {
            if (i < used) {
                Shape in = inputShapes[config.startLevel() + i];
                out[i] = new Shape(batch, config.outChannels(), in.get(2), in.get(3));
            } else {
                Shape below = out[i - 1]; // stride-2 3x3 pad-1 conv and 1x1 stride-2 pool both give ceil(n / 2)
                out[i] = new Shape(batch, config.outChannels(), (below.get(2) + 1) / 2, (below.get(3) + 1) / 2);
            }
        }
        return out;
    }

    /**
     * Native keys are mmdetection's. torchvision 0.14 keys (relative to its {@code backbone.fpn},
     * with or without a leading {@code fpn.}): {@code inner_blocks.i.0.*} (and pre-0.13
     * {@code inner_blocks.i.*}) are laterals, {@code layer_blocks.i.*} the output convs,
     * {@code .1.*} their norm, {@code extra_blocks.p6/p7} the extra convs.
     */
    @Override
    public String importKey(String flavour, String key) {
        if (!TORCHVISION.equals(flavour)) {
            return key;
        }
        return TorchvisionFpnKeys.toNative(key, used);
    }
}
