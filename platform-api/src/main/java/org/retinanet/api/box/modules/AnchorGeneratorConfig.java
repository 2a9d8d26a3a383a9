package org.retinanet.api.box.modules;

import java.util.List;
import org.retinanet.api.config.PriorGeneratorConfig;

/**
 * Config of the {@code anchor_generator} prior generator ({@link AnchorGenerator}); defaults are
 * mmdetection's RetinaNet anchors. Messages name the keys where a head nests it ({@code head.anchors}).
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
public record AnchorGeneratorConfig(
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
        Integer paddingDivisor)
        implements PriorGeneratorConfig {

    public AnchorGeneratorConfig {
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
            throw new IllegalArgumentException("head.anchors.octaveBaseScale must be positive, got " + octaveBaseScale);
        }
        if (scalesPerOctave <= 0) {
            throw new IllegalArgumentException("head.anchors.scalesPerOctave must be positive, got " + scalesPerOctave);
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
                            "head.anchors.sizes needs the same number of positive sizes on every level, got " + sizes);
                }
            }
        }
        if (paddingDivisor <= 0) {
            throw new IllegalArgumentException("head.anchors.paddingDivisor must be positive, got " + paddingDivisor);
        }
    }

    /** mmdetection's RetinaNet anchors. */
    public static AnchorGeneratorConfig defaults() {
        return new AnchorGeneratorConfig(null, null, null, null, null, null, null, null, null, null, null);
    }

    public int scalesPerLocation() {
        return sizes != null ? sizes.get(0).size() : scalesPerOctave;
    }

    public int anchorsPerLocation() {
        return ratios.size() * scalesPerLocation();
    }
}
