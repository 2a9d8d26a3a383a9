package org.retinanet.datasets.eval;

import java.util.List;
import org.retinanet.api.config.EvaluatorConfig;

/**
 * Config of the {@code coco} evaluator: pycocotools' COCOeval for bounding boxes with its default
 * parameters. {@code maxDets} must be three increasing counts (summarize() reads exactly three);
 * {@code areaRanges} must name {@code all}, {@code small}, {@code medium} and {@code large}, each
 * [min, max] with both bounds inclusive. {@code threads} evaluates categories in parallel (the
 * result does not depend on it).
 */
public record CocoEvaluatorConfig(
        String iouType, List<Integer> maxDets, Boolean useCats, List<AreaRange> areaRanges, Integer threads)
        implements EvaluatorConfig {

    /** A named object-area range, both bounds inclusive as in COCOeval. */
    public record AreaRange(String label, Double min, Double max) {
        public AreaRange {
            if (label == null || label.isBlank()) {
                throw new IllegalArgumentException("areaRanges: label is missing");
            }
            if (min == null || max == null || !(min <= max)) {
                throw new IllegalArgumentException(
                        "areaRanges." + label + ": need min <= max, got [" + min + ", " + max + "]");
            }
        }
    }

    /** COCO's ranges: all [0, 1e5²], small [0, 32²], medium [32², 96²], large [96², 1e5²]. */
    public static final List<AreaRange> COCO_AREA_RANGES = List.of(
            new AreaRange("all", 0.0, 1e10),
            new AreaRange("small", 0.0, 1024.0),
            new AreaRange("medium", 1024.0, 9216.0),
            new AreaRange("large", 9216.0, 1e10));

    public CocoEvaluatorConfig {
        iouType = iouType == null ? "bbox" : iouType;
        if (!iouType.equals("bbox")) {
            throw new IllegalArgumentException("iouType: only 'bbox' is supported, got '" + iouType + "'");
        }
        maxDets = maxDets == null ? List.of(1, 10, 100) : List.copyOf(maxDets);
        if (maxDets.size() != 3
                || maxDets.get(0) < 1
                || maxDets.get(0) >= maxDets.get(1)
                || maxDets.get(1) >= maxDets.get(2)) {
            throw new IllegalArgumentException("maxDets: need three increasing positive counts, got " + maxDets);
        }
        useCats = useCats == null ? Boolean.TRUE : useCats;
        if (!useCats) {
            throw new IllegalArgumentException("useCats: only true (per-category evaluation) is supported");
        }
        areaRanges = areaRanges == null ? COCO_AREA_RANGES : List.copyOf(areaRanges);
        List<String> labels = areaRanges.stream().map(AreaRange::label).toList();
        if (!labels.equals(List.of("all", "small", "medium", "large"))) {
            throw new IllegalArgumentException(
                    "areaRanges: need exactly all, small, medium, large in this order, got " + labels);
        }
        threads = threads == null ? Math.min(2, Runtime.getRuntime().availableProcessors()) : threads;
        if (threads < 1) {
            throw new IllegalArgumentException("threads: must be >= 1, got " + threads);
        }
    }

    /** All defaults. */
    public static CocoEvaluatorConfig defaults() {
        return new CocoEvaluatorConfig(null, null, null, null, null);
    }
}
