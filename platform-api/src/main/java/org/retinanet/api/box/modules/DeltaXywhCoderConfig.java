package org.retinanet.api.box.modules;

import java.util.List;
import org.retinanet.api.config.BoxCoderConfig;

/**
 * Config of the {@code delta_xywh} box coder ({@link DeltaXywhCoder}); defaults are mmdetection's
 * RetinaNet. Messages name the keys where a head nests it ({@code head.coder}).
 *
 * @param means target means ([0, 0, 0, 0])
 * @param stds target stds ([1, 1, 1, 1]; torchvision's weights w are 1/w)
 * @param maxRatio dw/dh clamp when decoding (log(1000/16))
 * @param symmetricClamp clamp dw/dh to [-maxRatio, maxRatio] (mmdetection) or only from above (torchvision)
 * @param clipBorder clip decoded boxes to the resized image (true)
 */
public record DeltaXywhCoderConfig(
        List<Double> means, List<Double> stds, Double maxRatio, Boolean symmetricClamp, Boolean clipBorder)
        implements BoxCoderConfig {

    /** mmdetection's RetinaNet coder. */
    public static DeltaXywhCoderConfig defaults() {
        return new DeltaXywhCoderConfig(null, null, null, null, null);
    }

    public DeltaXywhCoderConfig {
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
