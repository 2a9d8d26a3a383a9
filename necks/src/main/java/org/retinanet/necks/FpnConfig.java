package org.retinanet.necks;

import java.util.Arrays;
import java.util.Locale;
import org.retinanet.api.config.NeckConfig;

/**
 * Config of the {@code fpn} neck. Field meanings follow mmdetection's FPN ({@code out_channels},
 * {@code start_level}, {@code num_outs}, {@code add_extra_convs}, {@code relu_before_extra_convs},
 * {@code norm_cfg}).
 *
 * @param outChannels channels of every pyramid level (256)
 * @param startLevel index into the backbone's features of the first one used (0). mmdetection's
 *     RetinaNet configs say 1 because its ResNet returns C2..C5; our backbones return only the
 *     features asked for (C3..C5), so 0 is the same network
 * @param numOuts number of pyramid levels (5: P3..P7); levels beyond the used inputs are extra
 * @param addExtraConvs source of the first extra level: {@code on_input} (the last used backbone
 *     feature, C5: mmdetection and the paper; torchvision v2), {@code on_lateral} (the top 1x1
 *     lateral), {@code on_output} (P5: torchvision v1), or {@code none} (extra levels are
 *     max-pool stride 2 of the level below, no parameters)
 * @param reluBeforeExtraConvs ReLU before every extra conv after the first (false in mmdetection;
 *     true reproduces torchvision's P7 = conv(relu(P6)) and the paper)
 * @param norm {@code none} (convs with bias, mmdetection and torchvision RetinaNet) or {@code gn}
 *     (GroupNorm after every conv, convs without bias)
 * @param numGroups GroupNorm groups (32), used when norm is {@code gn}
 * @param init weight init of the convs: {@code xavier} (xavier_uniform, gain 1: mmdetection) or
 *     {@code kaiming} (kaiming_uniform with a=1: torchvision); biases are zero either way
 */
public record FpnConfig(
        Integer outChannels,
        Integer startLevel,
        Integer numOuts,
        String addExtraConvs,
        Boolean reluBeforeExtraConvs,
        String norm,
        Integer numGroups,
        String init)
        implements NeckConfig {

    /** Where the first extra level's conv reads from. */
    public enum ExtraSource {
        ON_INPUT,
        ON_LATERAL,
        ON_OUTPUT,
        NONE;

        String configName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public FpnConfig {
        outChannels = outChannels == null ? 256 : outChannels;
        startLevel = startLevel == null ? 0 : startLevel;
        numOuts = numOuts == null ? 5 : numOuts;
        addExtraConvs = addExtraConvs == null ? "on_input" : addExtraConvs;
        reluBeforeExtraConvs = reluBeforeExtraConvs != null && reluBeforeExtraConvs;
        norm = norm == null ? "none" : norm;
        numGroups = numGroups == null ? 32 : numGroups;
        init = init == null ? "xavier" : init;

        if (outChannels <= 0) {
            throw new IllegalArgumentException("fpn: outChannels must be positive, got " + outChannels);
        }
        if (startLevel < 0) {
            throw new IllegalArgumentException("fpn: startLevel must be >= 0, got " + startLevel);
        }
        if (numOuts <= 0) {
            throw new IllegalArgumentException("fpn: numOuts must be positive, got " + numOuts);
        }
        parseExtraSource(addExtraConvs);
        if (!norm.equals("none") && !norm.equals("gn")) {
            throw new IllegalArgumentException("fpn: norm must be one of none, gn; got '" + norm + "'");
        }
        if (norm.equals("gn") && (numGroups <= 0 || outChannels % numGroups != 0)) {
            throw new IllegalArgumentException(
                    "fpn: numGroups " + numGroups + " must be positive and divide outChannels " + outChannels);
        }
        if (!init.equals("xavier") && !init.equals("kaiming")) {
            throw new IllegalArgumentException("fpn: init must be one of xavier, kaiming; got '" + init + "'");
        }
    }

    /** mmdetection's defaults for RetinaNet (extra convs on C5, no ReLU before P7, no norm). */
    public static FpnConfig defaults() {
        return new FpnConfig(null, null, null, null, null, null, null, null);
    }

    /** torchvision {@code retinanet_resnet50_fpn} (v1): P6 from P5, ReLU before P7, kaiming init. */
    public static FpnConfig torchvisionV1() {
        return new FpnConfig(256, 0, 5, "on_output", true, "none", null, "kaiming");
    }

    /** torchvision {@code retinanet_resnet50_fpn_v2}: P6 from C5, ReLU before P7, kaiming init. */
    public static FpnConfig torchvisionV2() {
        return new FpnConfig(256, 0, 5, "on_input", true, "none", null, "kaiming");
    }

    public ExtraSource extraSource() {
        return parseExtraSource(addExtraConvs);
    }

    public boolean groupNorm() {
        return norm.equals("gn");
    }

    private static ExtraSource parseExtraSource(String value) {
        for (ExtraSource s : ExtraSource.values()) {
            if (s.configName().equals(value)) {
                return s;
            }
        }
        throw new IllegalArgumentException("fpn: addExtraConvs must be one of "
                + Arrays.stream(ExtraSource.values())
                        .map(ExtraSource::configName)
                        .toList()
                + "; got '" + value + "'");
    }
}
