package org.retinanet.datasets.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.retinanet.api.box.BoxIou;
import org.retinanet.api.data.Category;
import org.retinanet.api.data.Detection;
import org.retinanet.api.data.DetectionDataset;
import org.retinanet.api.data.DetectionEvaluator;
import org.retinanet.api.data.EvaluationResult;
import org.retinanet.api.data.GtBox;
import org.retinanet.api.data.ImageAnnotations;

/**
 * Pascal VOC detection AP, per class: detections in descending score order (ties keep list
 * order); each takes the gt of its image and class with the highest IoU (the first on ties); at
 * IoU >= the threshold it is a true positive if that gt is regular and not yet taken, nothing if
 * the gt is difficult ({@link GtBox#ignore()}), a false positive otherwise. AP is the area under
 * the precision envelope (VOC2010+) or the 11-point mean (VOC2007). mAP averages the classes that
 * have regular ground truth; a class without has AP NaN.
 */
public final class VocEvaluator implements DetectionEvaluator {

    private static final double EPS = Math.ulp(1.0); // np.finfo(np.float64).eps

    private final VocEvaluatorConfig config;

    public VocEvaluator(VocEvaluatorConfig config) {
        this.config = config;
    }

    @Override
    public EvaluationResult evaluate(DetectionDataset groundTruth, List<Detection> detections) {
        List<Category> categories = groundTruth.categories();
        int classes = categories.size();
        Map<Long, Integer> imageIndex = new HashMap<>();
        List<ImageAnnotations> images = new ArrayList<>(groundTruth.size());
        for (int i = 0; i < groundTruth.size(); i++) {
            ImageAnnotations a = groundTruth.annotations(i);
            imageIndex.put(a.image().id(), i);
            images.add(a);
        }
        List<List<Detection>> byClass = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            byClass.add(new ArrayList<>());
        }
        for (Detection d : detections) {
            if (d.label() < 0 || d.label() >= classes) {
                throw new IllegalArgumentException(
                        "detections: label " + d.label() + " is outside 0.." + (classes - 1));
            }
            if (!imageIndex.containsKey(d.imageId())) {
                throw new IllegalArgumentException(
                        "detections: image id " + d.imageId() + " is not in " + groundTruth.name());
            }
            byClass.get(d.label()).add(d);
        }

        Map<String, Double> perClass = new LinkedHashMap<>();
        StringBuilder table = new StringBuilder(
                String.format(Locale.ROOT, "%-20s %6s %6s %8s %8s%n", "class", "gts", "dets", "recall", "ap"));
        double apSum = 0;
        int valid = 0;
        for (int c = 0; c < classes; c++) {
            ClassResult r = evaluateClass(c, images, imageIndex, byClass.get(c));
            perClass.put(categories.get(c).name(), r.ap);
            if (r.positives > 0) {
                apSum += r.ap;
                valid++;
            }
            table.append(String.format(
                    Locale.ROOT,
                    "%-20s %6d %6d %8.3f %8.3f%n",
                    categories.get(c).name(),
                    r.positives,
                    byClass.get(c).size(),
                    r.recall,
                    r.ap));
        }
        double map = valid == 0 ? 0.0 : apSum / valid;
        table.append(String.format(Locale.ROOT, "%-20s %6s %6s %8s %8.3f", "mAP", "", "", "", map));

        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("mAP", map);
        perClass.forEach((name, ap) -> metrics.put("AP_" + name, ap));
        return new EvaluationResult(metrics, perClass, table.toString());
    }

    private record ClassResult(double ap, int positives, double recall) {}

    private ClassResult evaluateClass(
            int label, List<ImageAnnotations> images, Map<Long, Integer> imageIndex, List<Detection> dets) {
        // this class's gt per image, and which are taken
        int positives = 0;
        Map<Integer, List<GtBox>> gtOf = new HashMap<>();
        Map<Integer, boolean[]> taken = new HashMap<>();
        for (int i = 0; i < images.size(); i++) {
            List<GtBox> boxes = new ArrayList<>();
            for (GtBox g : images.get(i).boxes()) {
                if (g.label() == label) {
                    boxes.add(g);
                    if (!g.ignore()) {
                        positives++;
                    }
                }
            }
            if (!boxes.isEmpty()) {
                gtOf.put(i, boxes);
                taken.put(i, new boolean[boxes.size()]);
            }
        }
        int n = dets.size();
        int[] order = new int[n];
        double[] scores = new double[n];
        for (int j = 0; j < n; j++) {
            order[j] = j;
            scores[j] = dets.get(j).score();
        }
        StableOrder.byScoreDescending(order, 0, n, scores, new int[n]);

        double one = config.legacyCoordinates() ? 1.0 : 0.0;
        double[] rec = new double[n];
        double[] prec = new double[n];
        int tp = 0;
        int fp = 0;
        int kept = 0;
        for (int j = 0; j < n; j++) {
            Detection d = dets.get(order[j]);
            int image = imageIndex.get(d.imageId());
            List<GtBox> gts = gtOf.getOrDefault(image, List.of());
            double best = -1;
            int bestIndex = -1;
            for (int g = 0; g < gts.size(); g++) {
                GtBox gt = gts.get(g);
                double o = BoxIou.iouCorners(d.x1(), d.y1(), d.x2(), d.y2(), gt.x1(), gt.y1(), gt.x2(), gt.y2(), one);
                if (o > best) {
                    best = o;
                    bestIndex = g;
                }
            }
            if (bestIndex >= 0 && best >= config.iouThreshold()) {
                if (gts.get(bestIndex).ignore()) {
                    continue; // difficult: neither true nor false positive
                }
                boolean[] t = taken.get(image);
                if (!t[bestIndex]) {
                    t[bestIndex] = true;
                    tp++;
                } else {
                    fp++;
                }
            } else {
                fp++;
            }
            rec[kept] = positives == 0 ? 0 : tp / (double) positives;
            prec[kept] = tp / Math.max((double) (tp + fp), EPS);
            kept++;
        }
        if (positives == 0) {
            return new ClassResult(Double.NaN, 0, Double.NaN);
        }
        double ap = config.use07Metric() ? elevenPointAp(rec, prec, kept) : areaAp(rec, prec, kept);
        return new ClassResult(ap, positives, kept == 0 ? 0 : rec[kept - 1]);
    }

    /** VOC2010+: area under the precision envelope, summed where recall changes. */
    static double areaAp(double[] rec, double[] prec, int n) {
        double[] mrec = new double[n + 2];
        double[] mpre = new double[n + 2];
        System.arraycopy(rec, 0, mrec, 1, n);
        System.arraycopy(prec, 0, mpre, 1, n);
        mrec[n + 1] = 1.0;
        for (int i = n; i >= 0; i--) {
            mpre[i] = Math.max(mpre[i], mpre[i + 1]);
        }
        double ap = 0;
        for (int i = 0; i <= n; i++) {
            if (mrec[i + 1] != mrec[i]) {
                ap += (mrec[i + 1] - mrec[i]) * mpre[i + 1];
            }
        }
        return ap;
    }

    /** VOC2007: mean over recall 0, 0.1, ..., 1 of the best precision at recall >= it. */
    static double elevenPointAp(double[] rec, double[] prec, int n) {
        double ap = 0;
        for (int i = 0; i <= 10; i++) {
            double thr = i * 0.1; // np.arange(0, 1.1, 0.1)
            double best = 0;
            for (int j = 0; j < n; j++) {
                if (rec[j] >= thr && prec[j] > best) {
                    best = prec[j];
                }
            }
            ap += best;
        }
        return ap / 11;
    }
}
