package org.retinanet.heads;

import java.util.List;
import org.retinanet.api.config.HeadConfig;

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
 */
public record RetinaHeadConfig(
        Integer stackedConvs,
        Integer featChannels,
        String norm,
        Integer normGroups,
        Double priorProb,
        Double initStd,
        Anchors anchors,
        Assigner assigner,
        Coder coder,
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
        anchors = anchors == null
                ? new Anchors(null, null, null, null, null, null, null, null, null, null, null)
                : anchors;
        assigner = assigner == null ? new Assigner(null, null, null, null, null, null, null) : assigner;
        coder = coder == null ? new Coder(null, null, null, null, null) : coder;
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
                new Anchors(null, null, null, null, null, null, true, true, true, false, null),
                new Assigner(null, null, null, null, null, Assigner.LOW_QUALITY_BEST_GT, null),
                new Coder(null, null, null, false, null),
                new Test(null, null, null, 300, -1.0, false));
    }

    /**
     * Anchor generator.
     *
     * @param octaveBaseScale base scale in units of the stride (4)
     * @param scalesPerOctave scales per octave (3): size = stride * octaveBaseScale * 2^(i/n)
     * @param ratios aspect ratios h/w, ratio-major anchor order ([0.5, 1, 2])
     * @param strides one per pyramid level ([8, 16, 32, 64, 128])
     * @param centerOffset anchor centre inside its cell in units of the stride (0: the cell's corner)
     * @param sizes explicit per-level anchor sizes (replaces the octave scales); null by default
     * @param truncateSizes truncate the octave sizes to integers as torchvision does (false)
     * @param roundBaseAnchors round the zero-centred base anchors half-to-even as torchvision (false)
     * @param stridesFromImageSize use padded size // feature size per axis as torchvision (false)
     * @param paddingMask mark anchors of cells in the batch padding invalid as mmdetection (true)
     * @param paddingDivisor each image's own valid region is its size rounded up to this (32)
     */
    public record Anchors(
            Double octaveBaseScale,
            Integer scalesPerOctave,
            List<Double> ratios,
            List<Integer> strides,
            Double centerOffset,
            List<List<Double>> sizes,
            Boolean truncateSizes,
            Boolean roundBaseAnchors,
            Boolean stridesFromImageSize,
            Boolean paddingMask,
            Integer paddingDivisor) {

        public Anchors {
            octaveBaseScale = octaveBaseScale == null ? 4.0 : octaveBaseScale;
            scalesPerOctave = scalesPerOctave == null ? 3 : scalesPerOctave;
            ratios = List.copyOf(ratios == null ? List.of(0.5, 1.0, 2.0) : ratios);
            strides = List.copyOf(strides == null ? List.of(8, 16, 32, 64, 128) : strides);
            centerOffset = centerOffset == null ? 0.0 : centerOffset;
            truncateSizes = truncateSizes != null && truncateSizes;
            roundBaseAnchors = roundBaseAnchors != null && roundBaseAnchors;
            stridesFromImageSize = stridesFromImageSize != null && stridesFromImageSize;
            paddingMask = paddingMask == null || paddingMask;
            paddingDivisor = paddingDivisor == null ? 32 : paddingDivisor;
            if (!(octaveBaseScale > 0)) {
                throw new IllegalArgumentException(
                        "head.anchors.octaveBaseScale must be positive, got " + octaveBaseScale);
            }
            if (scalesPerOctave <= 0) {
                throw new IllegalArgumentException(
                        "head.anchors.scalesPerOctave must be positive, got " + scalesPerOctave);
            }
            if (ratios.isEmpty() || ratios.stream().anyMatch(r -> !(r > 0))) {
                throw new IllegalArgumentException("head.anchors.ratios must be positive numbers, got " + ratios);
            }
            if (strides.isEmpty() || strides.stream().anyMatch(s -> s <= 0)) {
                throw new IllegalArgumentException("head.anchors.strides must be positive integers, got " + strides);
            }
            if (!(centerOffset >= 0 && centerOffset < 1)) {
                throw new IllegalArgumentException("head.anchors.centerOffset must be in [0, 1), got " + centerOffset);
            }
            if (sizes != null) {
                sizes = sizes.stream().map(List::copyOf).toList();
                if (sizes.size() != strides.size()) {
                    throw new IllegalArgumentException("head.anchors.sizes has " + sizes.size()
                            + " levels but head.anchors.strides has " + strides.size());
                }
                int n = sizes.get(0).size();
                for (List<Double> level : sizes) {
                    if (level.size() != n || level.stream().anyMatch(s -> !(s > 0))) {
                        throw new IllegalArgumentException(
                                "head.anchors.sizes needs the same number of positive sizes on every level, got "
                                        + sizes);
                    }
                }
            }
            if (paddingDivisor <= 0) {
                throw new IllegalArgumentException(
                        "head.anchors.paddingDivisor must be positive, got " + paddingDivisor);
            }
        }

        public int scalesPerLocation() {
            return sizes != null ? sizes.get(0).size() : scalesPerOctave;
        }

        public int anchorsPerLocation() {
            return ratios.size() * scalesPerLocation();
        }
    }

    /**
     * MaxIoU assigner.
     *
     * @param posIouThr anchors with max IoU >= this are positives (0.5)
     * @param negIouThr anchors with 0 <= max IoU < this are negatives (0.4); the band between is ignored
     * @param minPosIou a gt's best anchors are matched only if their IoU >= this (0)
     * @param matchLowQuality give every gt its best anchors even below posIouThr (true)
     * @param gtMaxAssignAll all anchors tied at a gt's best IoU get it (true), else only the first
     * @param lowQualityMatch {@code last_gt}: such an anchor takes that gt, a later gt overwriting an
     *     earlier one (mmdetection); {@code best_gt}: it takes its own highest-IoU gt (torchvision)
     * @param ignoreIofThr crowd/ignore boxes: anchors whose intersection over their own area with
     *     any ignore box is > this are ignored and never positive; negative (-1, mmdetection's
     *     default) drops ignore boxes altogether
     */
    public record Assigner(
            Double posIouThr,
            Double negIouThr,
            Double minPosIou,
            Boolean matchLowQuality,
            Boolean gtMaxAssignAll,
            String lowQualityMatch,
            Double ignoreIofThr) {

        public static final String LOW_QUALITY_LAST_GT = "last_gt";
        public static final String LOW_QUALITY_BEST_GT = "best_gt";

        public Assigner {
            posIouThr = posIouThr == null ? 0.5 : posIouThr;
            negIouThr = negIouThr == null ? 0.4 : negIouThr;
            minPosIou = minPosIou == null ? 0.0 : minPosIou;
            matchLowQuality = matchLowQuality == null || matchLowQuality;
            gtMaxAssignAll = gtMaxAssignAll == null || gtMaxAssignAll;
            lowQualityMatch = lowQualityMatch == null ? LOW_QUALITY_LAST_GT : lowQualityMatch;
            ignoreIofThr = ignoreIofThr == null ? -1.0 : ignoreIofThr;
            if (!(posIouThr >= 0 && posIouThr <= 1)) {
                throw new IllegalArgumentException("head.assigner.posIouThr must be in [0, 1], got " + posIouThr);
            }
            if (!(negIouThr >= 0 && negIouThr <= posIouThr)) {
                throw new IllegalArgumentException(
                        "head.assigner.negIouThr must be in [0, posIouThr], got " + negIouThr);
            }
            if (!lowQualityMatch.equals(LOW_QUALITY_LAST_GT) && !lowQualityMatch.equals(LOW_QUALITY_BEST_GT)) {
                throw new IllegalArgumentException(
                        "head.assigner.lowQualityMatch '" + lowQualityMatch + "' is not one of last_gt, best_gt");
            }
            if (ignoreIofThr > 1) {
                throw new IllegalArgumentException("head.assigner.ignoreIofThr must be <= 1, got " + ignoreIofThr);
            }
        }
    }

    /**
     * Delta (dx, dy, dw, dh) box coder.
     *
     * @param means target means ([0, 0, 0, 0])
     * @param stds target stds ([1, 1, 1, 1]; torchvision's weights w are 1/w)
     * @param maxRatio dw/dh clamp when decoding (log(1000/16))
     * @param symmetricClamp clamp dw/dh to [-maxRatio, maxRatio] (mmdetection) or only from above (torchvision)
     * @param clipBorder clip decoded boxes to the resized image (true)
     */
    public record Coder(
            List<Double> means, List<Double> stds, Double maxRatio, Boolean symmetricClamp, Boolean clipBorder) {

        public Coder {
            means = List.copyOf(means == null ? List.of(0.0, 0.0, 0.0, 0.0) : means);
            stds = List.copyOf(stds == null ? List.of(1.0, 1.0, 1.0, 1.0) : stds);
            maxRatio = maxRatio == null ? Math.abs(Math.log(16.0 / 1000.0)) : maxRatio;
            symmetricClamp = symmetricClamp == null || symmetricClamp;
            clipBorder = clipBorder == null || clipBorder;
            if (means.size() != 4) {
                throw new IllegalArgumentException("head.coder.means needs 4 values, got " + means);
            }
            if (stds.size() != 4 || stds.stream().anyMatch(s -> !(s > 0))) {
                throw new IllegalArgumentException("head.coder.stds needs 4 positive values, got " + stds);
            }
            if (!(maxRatio > 0)) {
                throw new IllegalArgumentException("head.coder.maxRatio must be positive, got " + maxRatio);
            }
        }
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
