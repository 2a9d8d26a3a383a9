package org.retinanet.heads;

import org.retinanet.api.box.modules.AnchorGeneratorConfig;
import org.retinanet.api.box.modules.DeltaXywhCoderConfig;
import org.retinanet.api.box.modules.MaxIouAssignerConfig;
import org.retinanet.api.config.AssignerConfig;
import org.retinanet.api.config.BoxCoderConfig;
import org.retinanet.api.config.HeadConfig;
import org.retinanet.api.config.PriorGeneratorConfig;

/**
 * Config of the {@code retina} head. Defaults are mmdetection's {@code retinanet_r50_fpn_1x_coco};
 * everything torchvision does differently is a value here (see {@link #torchvision()}).
 *
 * @param stackedConvs 3x3 convs in each tower (4)
 * @param featChannels channels of the tower convs (256)
 * @param norm {@code none} (mmdetection, torchvision v1) or {@code gn} (GroupNorm, torchvision v2)
 * @param normGroups GroupNorm groups (32)
 * @param priorProb prior probability of the classification bias init (0.01)
 * @param initStd std of the normal init of every conv weight (0.01)
 * @param anchors the prior generator, by {@code type} id ({@code anchor_generator} when left out)
 * @param assigner the assigner, by {@code type} id ({@code max_iou} when left out)
 * @param coder the box coder, by {@code type} id ({@code delta_xywh} when left out)
 */
public record RetinaHeadConfig(
        Integer stackedConvs,
        Integer featChannels,
        String norm,
        Integer normGroups,
        Double priorProb,
        Double initStd,
        PriorGeneratorConfig anchors,
        AssignerConfig assigner,
        BoxCoderConfig coder,
        Test test)
        implements HeadConfig {

    public static final String NORM_NONE = "none";
    public static final String NORM_GN = "gn";

    public RetinaHeadConfig {
        stackedConvs = stackedConvs == null ? 4 : stackedConvs;
        featChannels = featChannels == null ? 256 : featChannels;
        norm = norm == null ? NORM_NONE : norm;
        normGroups = normGroups == null ? 32 : normGroups;
        priorProb = priorProb == null ? 0.01 : priorProb;
        initStd = initStd == null ? 0.01 : initStd;
        anchors = anchors == null ? AnchorGeneratorConfig.defaults() : anchors;
        assigner = assigner == null ? MaxIouAssignerConfig.defaults() : assigner;
        coder = coder == null ? DeltaXywhCoderConfig.defaults() : coder;
        test = test == null ? new Test(null, null, null, null, null, null) : test;
        if (stackedConvs < 0) {
            throw new IllegalArgumentException("head.stackedConvs must be >= 0, got " + stackedConvs);
        }
        if (featChannels <= 0) {
            throw new IllegalArgumentException("head.featChannels must be positive, got " + featChannels);
        }
        if (!norm.equals(NORM_NONE) && !norm.equals(NORM_GN)) {
            throw new IllegalArgumentException("head.norm '" + norm + "' is not one of none, gn");
        }
        if (norm.equals(NORM_GN) && (normGroups <= 0 || featChannels % normGroups != 0)) {
            throw new IllegalArgumentException(
                    "head.normGroups " + normGroups + " does not divide head.featChannels " + featChannels);
        }
        if (!(priorProb > 0 && priorProb < 1)) {
            throw new IllegalArgumentException("head.priorProb must be in (0, 1), got " + priorProb);
        }
        if (!(initStd >= 0)) {
            throw new IllegalArgumentException("head.initStd must be >= 0, got " + initStd);
        }
    }

    /** mmdetection's retinanet_r50_fpn_1x_coco head. */
    public static RetinaHeadConfig defaults() {
        return new RetinaHeadConfig(null, null, null, null, null, null, null, null, null, null);
    }

    /**
     * torchvision's retinanet_resnet50_fpn head (v1): integer-truncated anchor sizes with rounded
     * base anchors and strides measured as padded size // feature size, no padding mask, the
     * Matcher's low-quality rule, one-sided dw/dh clamp, no minimum box size, NMS before rescaling,
     * 300 detections. (Its per-image loss normalisation is the platform's
     * {@link org.retinanet.api.loss.LossNormalization}, not part of this config.)
     */
    public static RetinaHeadConfig torchvision() {
        return new RetinaHeadConfig(
                null,
                null,
                null,
                null,
                null,
                null,
                new AnchorGeneratorConfig(null, null, null, null, null, null, true, true, true, false, null),
                new MaxIouAssignerConfig(null, null, null, null, null, MaxIouAssignerConfig.LOW_QUALITY_BEST_GT, null),
                new DeltaXywhCoderConfig(null, null, null, false, null),
                new Test(null, null, null, 300, -1.0, false));
    }

    /**
     * Inference post-processing.
     *
     * @param scoreThr keep (anchor, class) pairs with sigmoid score > this (0.05)
     * @param nmsPre top-k pairs kept per level before NMS (1000)
     * @param nmsIou class-wise NMS IoU threshold (0.5)
     * @param maxPerImg detections kept per image (100; torchvision 300)
     * @param minBboxSize drop boxes with width or height <= this; negative disables (0)
     * @param nmsAfterRescale rescale to the original image before NMS (mmdetection) or after (torchvision)
     */
    public record Test(
            Double scoreThr,
            Integer nmsPre,
            Double nmsIou,
            Integer maxPerImg,
            Double minBboxSize,
            Boolean nmsAfterRescale) {

        public Test {
            scoreThr = scoreThr == null ? 0.05 : scoreThr;
            nmsPre = nmsPre == null ? 1000 : nmsPre;
            nmsIou = nmsIou == null ? 0.5 : nmsIou;
            maxPerImg = maxPerImg == null ? 100 : maxPerImg;
            minBboxSize = minBboxSize == null ? 0.0 : minBboxSize;
            nmsAfterRescale = nmsAfterRescale == null || nmsAfterRescale;
            if (!(scoreThr >= 0 && scoreThr < 1)) {
                throw new IllegalArgumentException("head.test.scoreThr must be in [0, 1), got " + scoreThr);
            }
            if (nmsPre <= 0) {
                throw new IllegalArgumentException("head.test.nmsPre must be positive, got " + nmsPre);
            }
            if (!(nmsIou > 0 && nmsIou <= 1)) {
                throw new IllegalArgumentException("head.test.nmsIou must be in (0, 1], got " + nmsIou);
            }
            if (maxPerImg <= 0) {
                throw new IllegalArgumentException("head.test.maxPerImg must be positive, got " + maxPerImg);
            }
        }
    }
}
