package org.retinanet.datasets.pipeline;

import java.util.List;
import org.retinanet.api.config.PipelineConfig;

/**
 * {@code type: standard}: keep-ratio resize, random horizontal flip, normalisation, padding.
 *
 * <ul>
 *   <li>{@code scale} [long, short], default [1333, 800]: mmdetection's Resize(scale, keep_ratio):
 *       factor = min(long / longer side, short / shorter side). torchvision's min_size / max_size
 *       is the same rule, so {@code minSize: [800], maxSize: 1333} may be given instead
 *       (several minSize values = torchvision's random choice in training, the last at test).
 *   <li>{@code scales}: list of [long, short]; training picks one per image uniformly
 *       (mmdetection's RandomChoiceResize). {@code shortRange} [lo, hi]: training draws the short
 *       side uniformly among the integers lo..hi with long = scale's long (RandomResize with
 *       [(1333, 640), (1333, 800)]). Testing always uses {@code scale}.
 *   <li>{@code rounding}: {@code mmdet} (default): new side = int(side * factor + 0.5) in double
 *       precision; {@code torchvision}: torchvision 0.14's float32 factor and floor (often 799
 *       instead of 800).
 *   <li>{@code flipProbability}: default 0.5 in training, 0 at test. {@code sizeDivisor}: 32.
 *   <li>{@code prefetch}: batches decoded ahead, default twice the worker count.
 *   <li>{@code skipBadImages} (default false): skip undecodable images and report them via
 *       {@code BatchIterator.skipped()} instead of failing (a dataset config may also ask for it).
 * </ul>
 */
public record StandardPipelineConfig(
        List<Integer> scale,
        List<List<Integer>> scales,
        List<Integer> shortRange,
        List<Integer> minSize,
        Integer maxSize,
        String rounding,
        Double flipProbability,
        Integer sizeDivisor,
        Integer prefetch,
        Boolean skipBadImages)
        implements PipelineConfig {

    public StandardPipelineConfig {
        if (minSize != null || maxSize != null) {
            if (scale != null || scales != null) {
                throw new IllegalArgumentException(
                        "standard pipeline: give either scale/scales or minSize/maxSize, not both");
            }
            if (minSize == null || minSize.isEmpty() || maxSize == null) {
                throw new IllegalArgumentException(
                        "standard pipeline: minSize (a list) and maxSize go together, got minSize=" + minSize
                                + " maxSize=" + maxSize);
            }
            scale = List.of(maxSize, minSize.get(minSize.size() - 1));
            if (minSize.size() > 1) {
                Integer max = maxSize;
                scales = minSize.stream().map(s -> List.of(max, s)).toList();
            }
        }
        if (scale == null) {
            scale = List.of(1333, 800);
        }
        checkPair("scale", scale);
        if (scales != null) {
            if (scales.isEmpty()) {
                throw new IllegalArgumentException("standard pipeline: scales must not be empty");
            }
            scales.forEach(s -> checkPair("scales", s));
        }
        if (shortRange != null) {
            checkPair("shortRange", shortRange);
            if (shortRange.get(0) > shortRange.get(1)) {
                throw new IllegalArgumentException(
                        "standard pipeline: shortRange must be [lo, hi] with lo <= hi, got " + shortRange);
            }
            if (scales != null) {
                throw new IllegalArgumentException("standard pipeline: give either scales or shortRange, not both");
            }
        }
        if (rounding == null) {
            rounding = "mmdet";
        }
        if (!rounding.equals("mmdet") && !rounding.equals("torchvision")) {
            throw new IllegalArgumentException(
                    "standard pipeline: rounding must be mmdet or torchvision, got '" + rounding + "'");
        }
        if (flipProbability != null && (flipProbability < 0 || flipProbability > 1)) {
            throw new IllegalArgumentException(
                    "standard pipeline: flipProbability must be in [0, 1], got " + flipProbability);
        }
        if (sizeDivisor == null) {
            sizeDivisor = 32;
        }
        if (sizeDivisor < 1) {
            throw new IllegalArgumentException("standard pipeline: sizeDivisor must be >= 1, got " + sizeDivisor);
        }
        if (prefetch != null && prefetch < 1) {
            throw new IllegalArgumentException("standard pipeline: prefetch must be >= 1, got " + prefetch);
        }
        if (skipBadImages == null) {
            skipBadImages = false;
        }
    }

    private static void checkPair(String field, List<Integer> pair) {
        if (pair.size() != 2 || pair.get(0) == null || pair.get(1) == null || pair.get(0) < 1 || pair.get(1) < 1) {
            throw new IllegalArgumentException(
                    "standard pipeline: " + field + " must be two positive sizes, got " + pair);
        }
    }

    /** Defaults everywhere: (1333, 800), mmdet rounding, size divisor 32. */
    public static StandardPipelineConfig defaults() {
        return new StandardPipelineConfig(null, null, null, null, null, null, null, null, null, null);
    }
}
