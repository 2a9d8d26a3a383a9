package org.retinanet.datasets.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.retinanet.api.data.Category;
import org.retinanet.api.data.Detection;
import org.retinanet.api.data.DetectionDataset;
import org.retinanet.api.data.DetectionEvaluator;
import org.retinanet.api.data.EvaluationResult;
import org.retinanet.api.data.GtBox;
import org.retinanet.api.data.ImageAnnotations;
import org.retinanet.datasets.coco.CocoDataset;

/**
 * The {@code coco} evaluator: pycocotools' COCOeval (bbox) on a dataset's ground truth. Boxes go
 * to COCO's (x, y, x2 - x, y2 - y); a gt's {@code ignore} is {@code iscrowd}, its {@code area} the
 * annotation's area; a detection's label maps to its category's dataset id. All dataset images
 * and categories are evaluated, as COCOeval does with the default params.
 */
public final class CocoEvaluator implements DetectionEvaluator {

    private final CocoEvaluatorConfig config;

    public CocoEvaluator(CocoEvaluatorConfig config) {
        this.config = config;
    }

    @Override
    public EvaluationResult evaluate(DetectionDataset groundTruth, List<Detection> detections) {
        CocoEvalResult result = evaluateRaw(groundTruth, detections);
        double[] stats = result.stats();
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (int i = 0; i < stats.length; i++) {
            metrics.put(CocoEvalResult.METRIC_NAMES.get(i), stats[i]);
        }
        double[] ap = result.perCategoryAp();
        long[] ids = result.categoryIds();
        Map<Long, Double> apById = new java.util.HashMap<>();
        for (int k = 0; k < ids.length; k++) {
            apById.put(ids[k], ap[k]);
        }
        Map<String, Double> perClass = new LinkedHashMap<>();
        for (Category c : groundTruth.categories()) {
            perClass.put(c.name(), apById.get(c.datasetId()));
        }
        return new EvaluationResult(metrics, perClass, result.summary());
    }

    /** The full precision/recall arrays, for callers that want more than the summary. */
    public CocoEvalResult evaluateRaw(DetectionDataset groundTruth, List<Detection> detections) {
        return CocoEval.run(problemOf(groundTruth, detections), config);
    }

    /** Builds the COCO problem from a dataset and detections in corner form. */
    public static CocoEvalProblem problemOf(DetectionDataset gt, List<Detection> detections) {
        List<Category> categories = gt.categories();
        long[] catIds = new long[categories.size()];
        String[] names = new String[categories.size()];
        for (int i = 0; i < catIds.length; i++) {
            Category c = categories.get(i);
            if (c.label() != i) {
                throw new IllegalArgumentException(gt.name() + ": category " + c.name() + " has label " + c.label()
                        + " at position " + i + " of categories()");
            }
            catIds[i] = c.datasetId();
            names[i] = c.name();
        }
        int n = gt.size();
        ImageAnnotations[] images = new ImageAnnotations[n];
        long[] imageIds = new long[n];
        for (int i = 0; i < n; i++) {
            images[i] = groundTruthOf(gt, i);
            imageIds[i] = images[i].image().id();
        }
        CocoEvalProblem.Builder b = CocoEvalProblem.builder().images(imageIds).categories(catIds, names);
        // ground truth image by image in dataset order: within an (image, category) the file order
        for (ImageAnnotations img : images) {
            for (GtBox g : img.boxes()) {
                b.addGt(
                        img.image().id(),
                        categoryOf(categories, g.label(), gt.name()).datasetId(),
                        g.x1(),
                        g.y1(),
                        g.x2() - g.x1(),
                        g.y2() - g.y1(),
                        g.area(),
                        g.ignore(),
                        g.id());
            }
        }
        for (Detection d : detections) {
            b.addDetection(
                    d.imageId(),
                    categoryOf(categories, d.label(), "detections").datasetId(),
                    d.x1(),
                    d.y1(),
                    d.x2() - d.x1(),
                    d.y2() - d.y1(),
                    d.score());
        }
        return b.build();
    }

    /**
     * pycocotools scores against every annotation of the file; the coco dataset's
     * {@code annotations(i)} leaves out degenerate boxes (for training), its {@code groundTruth(i)}
     * keeps them.
     */
    private static ImageAnnotations groundTruthOf(DetectionDataset gt, int index) {
        return gt instanceof CocoDataset coco ? coco.groundTruth(index) : gt.annotations(index);
    }

    private static Category categoryOf(List<Category> categories, int label, String where) {
        if (label < 0 || label >= categories.size()) {
            throw new IllegalArgumentException(
                    where + ": label " + label + " is outside 0.." + (categories.size() - 1));
        }
        return categories.get(label);
    }
}
