package org.retinanet.heads;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.retinanet.api.box.Assigner;
import org.retinanet.api.box.BoxCoder;
import org.retinanet.api.box.GridSize;
import org.retinanet.api.box.PriorGenerator;
import org.retinanet.api.data.Detection;
import org.retinanet.api.data.ImageMeta;
import org.retinanet.api.model.DenseHead;
import org.retinanet.api.model.DetectionBatch;
import org.retinanet.api.model.FeatureSpec;
import org.retinanet.api.model.HeadContext;
import org.retinanet.api.model.HeadOutput;
import org.retinanet.api.model.LossOutput;
import org.retinanet.api.model.TorchNames;
import org.retinanet.api.registry.UserException;
import org.retinanet.heads.block.Tower;
import org.retinanet.heads.loss.LossNormalizer;
import org.retinanet.heads.loss.RetinaLoss;
import org.retinanet.heads.postprocess.DetectionPostProcessor;

/**
 * The RetinaNet head: a classification and a box tower of {@code stackedConvs} 3x3 convs + ReLU
 * (optionally GroupNorm), shared over the levels, then {@code retina_cls} (A*K) and
 * {@code retina_reg} (A*4). Child names are mmdetection's ({@code cls_convs.0.conv.weight},
 * {@code retina_cls.bias}, ...), so native keys are mmdetection checkpoint keys; torchvision keys
 * are mapped by {@link #importKey}.
 *
 * <p>Outputs per the {@link DenseHead} contract: all levels' logits (N, A*K, H, W), then all
 * levels' deltas (N, A*4, H, W); channel a*K + c is anchor a, class c, as in both references.
 * {@link #loss} and {@link #detect} read the feature sizes from those shapes and flatten to
 * torchvision's (N, H*W*A, K) in (h, w, a) order.
 */
public final class RetinaHead extends AbstractBlock implements DenseHead {

    private static final byte VERSION = 1;
    private static final Pattern TV_TOWER =
            Pattern.compile("(classification|regression)_head\\.conv\\.(\\d+)\\.(?:(\\d+)\\.)?(weight|bias)");

    private final RetinaHeadConfig config;
    private final int numClasses;
    private final int numLevels;
    private final int anchorsPerLocation;
    private final Tower clsConvs;
    private final Tower regConvs;
    private final Conv2d retinaCls;
    private final Conv2d retinaReg;
    private final PriorGenerator anchorGenerator;
    private final BoxCoder coder;
    private final Assigner assigner;
    private final DetectionPostProcessor postProcessor;
    private final RetinaLoss retinaLoss;

    public RetinaHead(RetinaHeadConfig config, HeadContext context) {
        super(VERSION);
        this.config = config;
        this.numClasses = context.numClasses();
        this.numLevels = context.inputs().size();
        this.anchorGenerator = context.taskModules().priorGenerator(config.anchors());
        validate(anchorGenerator, context);
        this.anchorsPerLocation = anchorGenerator.priorsPerLocation();
        int groups = config.norm().equals(RetinaHeadConfig.NORM_GN) ? config.normGroups() : 0;
        this.clsConvs = addChildBlock("cls_convs", new Tower(config.stackedConvs(), config.featChannels(), groups));
        this.regConvs = addChildBlock("reg_convs", new Tower(config.stackedConvs(), config.featChannels(), groups));
        this.retinaCls = addChildBlock("retina_cls", conv3x3(anchorsPerLocation * numClasses));
        this.retinaReg = addChildBlock("retina_reg", conv3x3(anchorsPerLocation * 4));
        this.coder = context.taskModules().boxCoder(config.coder());
        this.assigner = context.taskModules().assigner(config.assigner());
        this.postProcessor = new DetectionPostProcessor(config.test(), coder, anchorGenerator);
        this.retinaLoss = new RetinaLoss(
                anchorGenerator,
                assigner,
                coder,
                context.classificationLoss(),
                context.boxLoss(),
                new LossNormalizer(
                        context.normalization() == null
                                ? org.retinanet.api.loss.LossNormalization.batchPositives()
                                : context.normalization()),
                numClasses);
    }

    /**
     * The head's config must fit the neck it sits on. Both come from the user's config, so a
     * mismatch is bad input (one line, exit 2), not a programming error.
     */
    private static void validate(PriorGenerator anchors, HeadContext context) {
        if (context.numClasses() <= 0) {
            throw new UserException("the head needs at least one class, got " + context.numClasses()
                    + " (model.numClasses, or the categories of the training dataset)");
        }
        List<FeatureSpec> inputs = context.inputs();
        List<Integer> strides = anchors.strides();
        List<Integer> neckStrides = inputs.stream().map(FeatureSpec::stride).toList();
        if (!strides.equals(neckStrides)) {
            throw new UserException("model.head.anchors.strides is " + strides + " but the neck produces "
                    + inputs.size() + " levels "
                    + inputs.stream().map(FeatureSpec::name).toList() + " with strides "
                    + neckStrides + "; give one anchor stride per neck level");
        }
        for (FeatureSpec f : inputs) {
            if (f.channels() != inputs.get(0).channels()) {
                throw new UserException("the head's shared towers need the same channels on every neck level, but "
                        + inputs.get(0).name() + " has " + inputs.get(0).channels() + " and " + f.name() + " has "
                        + f.channels() + " (model.neck)");
            }
        }
    }

    private static Conv2d conv3x3(int filters) {
        return Conv2d.builder()
                .setKernelShape(new Shape(3, 3))
                .setFilters(filters)
                .optPadding(new Shape(1, 1))
                .build();
    }

    public RetinaHeadConfig config() {
        return config;
    }

    public PriorGenerator anchorGenerator() {
        return anchorGenerator;
    }

    public Assigner assigner() {
        return assigner;
    }

    public BoxCoder coder() {
        return coder;
    }

    @Override
    public int numClasses() {
        return numClasses;
    }

    @Override
    public int anchorsPerLocation() {
        return anchorsPerLocation;
    }

    /** The prior-probability bias of the classification conv: -log((1 - pi) / pi). */
    public double priorBias() {
        double pi = config.priorProb();
        return -Math.log((1 - pi) / pi);
    }

    // ---------------------------------------------------------------- block

    @Override
    public void initialize(NDManager manager, DataType dataType, Shape... inputShapes) {
        // the head's init is part of its definition: set it last, over any trainer-wide initializer
        Initializer weights =
                config.initStd() > 0 ? new NormalInitializer((float) (double) config.initStd()) : Initializer.ZEROS;
        for (Map.Entry<String, Parameter> e : TorchNames.parameters(this).entrySet()) {
            String key = e.getKey();
            Parameter p = e.getValue();
            if (key.endsWith(".gn.weight")) {
                p.setInitializer(Initializer.ONES);
            } else if (key.endsWith(".gn.bias")) {
                p.setInitializer(Initializer.ZEROS);
            } else if (key.equals("retina_cls.bias")) {
                p.setInitializer(new ConstantInitializer((float) priorBias()));
            } else if (key.endsWith(".bias")) {
                p.setInitializer(Initializer.ZEROS);
            } else {
                p.setInitializer(weights);
            }
        }
        super.initialize(manager, dataType, inputShapes);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        if (inputs.size() != numLevels) {
            throw new IllegalArgumentException("head expects " + numLevels + " feature levels, got " + inputs.size());
        }
        NDList cls = new NDList(numLevels);
        NDList box = new NDList(numLevels);
        for (NDArray x : inputs) {
            NDList clsFeat = clsConvs.forward(store, new NDList(x), training, params);
            cls.add(retinaCls.forward(store, clsFeat, training, params).singletonOrThrow());
            NDList regFeat = regConvs.forward(store, new NDList(x), training, params);
            box.add(retinaReg.forward(store, regFeat, training, params).singletonOrThrow());
        }
        return HeadOutput.of(cls, box).arrays();
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape in = inputShapes[0];
        clsConvs.initialize(manager, dataType, in);
        regConvs.initialize(manager, dataType, in);
        retinaCls.initialize(manager, dataType, clsConvs.getOutputShapes(new Shape[] {in}));
        retinaReg.initialize(manager, dataType, regConvs.getOutputShapes(new Shape[] {in}));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] out = new Shape[2 * inputShapes.length];
        for (int l = 0; l < inputShapes.length; l++) {
            Shape s = inputShapes[l];
            out[l] = new Shape(s.get(0), (long) anchorsPerLocation * numClasses, s.get(2), s.get(3));
            out[inputShapes.length + l] = new Shape(s.get(0), anchorsPerLocation * 4L, s.get(2), s.get(3));
        }
        return out;
    }

    // ---------------------------------------------------------------- checkpoints

    /**
     * mmdetection keys are native. torchvision 0.14 keys: {@code classification_head.conv.i.0.*}
     * (conv) and {@code .conv.i.1.*} (GroupNorm, v2), the pre-0.13 layout
     * {@code classification_head.conv.2i.*}, {@code classification_head.cls_logits.*} and
     * {@code regression_head.bbox_reg.*}.
     */
    @Override
    public String importKey(String flavour, String key) {
        if (!TORCHVISION.equals(flavour)) {
            return key;
        }
        if (key.startsWith("classification_head.cls_logits.")) {
            return "retina_cls." + key.substring("classification_head.cls_logits.".length());
        }
        if (key.startsWith("regression_head.bbox_reg.")) {
            return "retina_reg." + key.substring("regression_head.bbox_reg.".length());
        }
        Matcher m = TV_TOWER.matcher(key);
        if (m.matches()) {
            String tower = m.group(1).equals("classification") ? "cls_convs" : "reg_convs";
            int index = Integer.parseInt(m.group(2));
            String sub = m.group(3);
            String layer;
            if (sub == null) { // old layout: Sequential(Conv, ReLU, Conv, ReLU, ...)
                if (index % 2 != 0) {
                    return key;
                }
                index /= 2;
                layer = "conv";
            } else {
                layer = switch (sub) {
                    case "0" -> "conv";
                    case "1" -> "gn";
                    default -> null;
                };
                if (layer == null) {
                    return key;
                }
            }
            return tower + "." + index + "." + layer + "." + m.group(4);
        }
        return key;
    }

    // ---------------------------------------------------------------- loss and inference

    /** Feature sizes of a head output, read from its maps' shapes, which must fit this head. */
    public List<GridSize> gridsOf(HeadOutput headOutput) {
        if (headOutput.levels() != numLevels) {
            throw new IllegalArgumentException(
                    "head output has " + headOutput.levels() + " levels, expected " + numLevels);
        }
        for (int l = 0; l < numLevels; l++) {
            Shape cls = headOutput.classification(l).getShape();
            Shape box = headOutput.regression(l).getShape();
            if (cls.get(1) != (long) anchorsPerLocation * numClasses || box.get(1) != anchorsPerLocation * 4L) {
                throw new IllegalArgumentException("head output level " + l + " has shapes " + cls + " and " + box
                        + ", expected " + anchorsPerLocation * numClasses + " and " + anchorsPerLocation * 4
                        + " channels (" + anchorsPerLocation + " anchors, " + numClasses + " classes)");
            }
        }
        return headOutput.gridSizes();
    }

    @Override
    public LossOutput loss(HeadOutput headOutput, DetectionBatch batch) {
        Shape images = batch.images().getShape();
        return loss(headOutput, (int) images.get(2), (int) images.get(3), batch.metas(), batch.targets());
    }

    /**
     * Detections per image. The padded input size, which torchvision-style strides need, is the
     * first level's size times its stride (exact whenever the padding divisor is a multiple of it).
     */
    @Override
    public List<List<Detection>> detect(HeadOutput headOutput, List<ImageMeta> metas) {
        GridSize first = gridsOf(headOutput).get(0);
        int s0 = anchorGenerator.strides().get(0);
        return detect(headOutput, first.height() * s0, first.width() * s0, metas);
    }

    /** Loss with an explicit padded size, for callers that have no image tensor. */
    public LossOutput loss(
            HeadOutput headOutput,
            int paddedHeight,
            int paddedWidth,
            List<ImageMeta> metas,
            List<org.retinanet.api.data.BoxTargets> targets) {
        List<GridSize> grids = gridsOf(headOutput);
        return retinaLoss.compute(
                headOutput.flatClassification(anchorsPerLocation),
                headOutput.flatRegression(anchorsPerLocation),
                grids,
                paddedHeight,
                paddedWidth,
                metas,
                targets);
    }

    /** Detections with an explicit padded input size; the flattened views die with this call. */
    public List<List<Detection>> detect(
            HeadOutput headOutput, int paddedHeight, int paddedWidth, List<ImageMeta> metas) {
        List<GridSize> grids = gridsOf(headOutput);
        try (NDManager m = headOutput.manager().newSubManager()) {
            List<NDArray> cls = headOutput.flatClassification(anchorsPerLocation);
            List<NDArray> box = headOutput.flatRegression(anchorsPerLocation);
            cls.forEach(a -> a.attach(m));
            box.forEach(a -> a.attach(m));
            return postProcessor.detect(cls, box, grids, paddedHeight, paddedWidth, metas);
        }
    }

    @Override
    public String toString() {
        return "RetinaHead(classes=" + numClasses + ", anchors=" + anchorsPerLocation + ", levels=" + numLevels + ")";
    }
}
