package org.retinanet.backbones;

import java.util.List;
import java.util.Set;

/**
 * The resolved architecture and options of one ResNet/ResNeXt, from either factory's config.
 *
 * @param name torchvision-like name for messages ({@code resnet50}, {@code resnext101_32x4d})
 * @param bottleneck Bottleneck blocks (expansion 4) rather than BasicBlocks (expansion 1)
 * @param stageBlocks number of blocks in each of the four stages
 * @param groups conv2 groups of a bottleneck (ResNeXt cardinality; 1 for ResNet)
 * @param baseWidth width per group (64 for ResNet)
 * @param outIndices 0-based stages returned (0 = C2 ... 3 = C5), increasing
 * @param frozenStages -1: nothing frozen; 0: stem; n: stem and stages 1..n
 */
public record ResNetSettings(
        String name,
        boolean bottleneck,
        List<Integer> stageBlocks,
        int groups,
        int baseWidth,
        Style style,
        List<Integer> outIndices,
        int frozenStages,
        NormOptions norm,
        boolean zeroInitResidual,
        InitConfig init) {

    public static final int STAGES = 4;
    public static final int STEM_CHANNELS = 64;

    public ResNetSettings {
        stageBlocks = List.copyOf(stageBlocks);
        outIndices = List.copyOf(outIndices);
    }

    public int expansion() {
        return bottleneck ? 4 : 1;
    }

    /** Output channels of stage {@code i} (0-based). */
    public int stageChannels(int i) {
        return STEM_CHANNELS * (1 << i) * expansion();
    }

    /** Bottleneck inner width of stage {@code i}: floor(planes * baseWidth / 64) * groups. */
    public int bottleneckWidth(int i) {
        int planes = STEM_CHANNELS * (1 << i);
        return (int) Math.floor(planes * (baseWidth / 64.0)) * groups;
    }

    /** Blocks per stage of each depth, as torchvision and mmdetection define them. */
    static List<Integer> stageBlocks(int depth) {
        return switch (depth) {
            case 18 -> List.of(2, 2, 2, 2);
            case 34, 50 -> List.of(3, 4, 6, 3);
            case 101 -> List.of(3, 4, 23, 3);
            case 152 -> List.of(3, 8, 36, 3);
            default -> throw new IllegalArgumentException("depth: " + depth + " is not supported");
        };
    }

    // ---- validation shared by the config records ----

    static void checkDepth(Integer depth, Set<Integer> allowed) {
        if (!allowed.contains(depth)) {
            throw new IllegalArgumentException("depth: " + depth + " is not one of "
                    + allowed.stream()
                            .sorted()
                            .map(String::valueOf)
                            .reduce((a, b) -> a + ", " + b)
                            .orElse(""));
        }
    }

    static List<Integer> checkOutIndices(List<Integer> outIndices) {
        if (outIndices.isEmpty()) {
            throw new IllegalArgumentException("outIndices: must name at least one stage (0..3)");
        }
        int previous = -1;
        for (Integer i : outIndices) {
            if (i == null || i < 0 || i >= STAGES || i <= previous) {
                throw new IllegalArgumentException("outIndices: " + outIndices
                        + " must be distinct stage indices 0..3 (0 = C2 ... 3 = C5) in increasing order");
            }
            previous = i;
        }
        return List.copyOf(outIndices);
    }

    static void checkFrozenStages(int frozenStages) {
        if (frozenStages < -1 || frozenStages > STAGES) {
            throw new IllegalArgumentException("frozenStages: " + frozenStages
                    + " must be -1 (nothing frozen), 0 (stem) or 1..4 (stem and that many stages)");
        }
    }

    static void checkPositive(String field, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(field + ": must be positive, got " + value);
        }
    }

    static double checkEps(Double eps) {
        if (eps == null) {
            return 1e-5;
        }
        if (!(eps >= 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("normEps: must be a finite number >= 0, got " + eps);
        }
        return eps;
    }

    /** Caffe-style weights come with frozen BN affine (mmdetection's caffe configs); frozen_bn never trains. */
    static boolean defaultAffineTrainable(Boolean given, Style style, NormType norm) {
        if (given == null) {
            return style == Style.PYTORCH && norm != NormType.FROZEN_BN;
        }
        if (given && norm == NormType.FROZEN_BN) {
            throw new IllegalArgumentException(
                    "normAffineTrainable: true contradicts norm frozen_bn (nothing in it trains)");
        }
        return given;
    }
}
