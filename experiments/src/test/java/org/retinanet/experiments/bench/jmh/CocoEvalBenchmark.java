package org.retinanet.experiments.bench.jmh;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.retinanet.api.config.EvaluatorConfig;
import org.retinanet.api.data.Category;
import org.retinanet.api.data.DecodedImage;
import org.retinanet.api.data.Detection;
import org.retinanet.api.data.DetectionDataset;
import org.retinanet.api.data.DetectionEvaluator;
import org.retinanet.api.data.EvaluationResult;
import org.retinanet.api.data.GtBox;
import org.retinanet.api.data.ImageAnnotations;
import org.retinanet.api.data.ImageInfo;
import org.retinanet.api.registry.Registry;

/**
 * COCO evaluation (the {@code coco} evaluator, found through the registry as training uses it)
 * of a synthetic problem: {@code images} images of 640x480, 80 categories, 1-15 ground-truth boxes
 * per image (some crowd), 100 detections per image, half of them jittered copies of the ground
 * truth and half random boxes, with random scores.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class CocoEvalBenchmark {

    @Param({"500"})
    int images;

    private DetectionEvaluator evaluator;
    private DetectionDataset dataset;
    private List<Detection> detections;

    @Setup
    public void setUp() {
        Registry registry = Registry.create(List.of());
        evaluator = registry.evaluator(registry.mapper().convertValue(Map.of("type", "coco"), EvaluatorConfig.class));
        Random r = new Random(0);
        List<Category> categories = new ArrayList<>();
        for (int c = 0; c < 80; c++) {
            categories.add(new Category(c, c + 1, "class" + c));
        }
        List<ImageAnnotations> annotations = new ArrayList<>();
        detections = new ArrayList<>();
        long gtId = 1;
        for (int i = 0; i < images; i++) {
            List<GtBox> boxes = new ArrayList<>();
            int n = 1 + r.nextInt(15);
            for (int j = 0; j < n; j++) {
                double w = 4 + r.nextDouble() * 300;
                double h = 4 + r.nextDouble() * 300;
                double x = r.nextDouble() * (640 - w);
                double y = r.nextDouble() * (480 - h);
                boxes.add(new GtBox(gtId++, x, y, x + w, y + h, r.nextInt(80), r.nextDouble() < 0.02, w * h));
            }
            annotations.add(new ImageAnnotations(new ImageInfo(i + 1, Path.of("img" + i + ".jpg"), 640, 480), boxes));
            for (int d = 0; d < 100; d++) {
                if (d % 2 == 0) {
                    GtBox g = boxes.get(r.nextInt(n));
                    double jx = (r.nextDouble() - 0.5) * 0.3 * g.width();
                    double jy = (r.nextDouble() - 0.5) * 0.3 * g.height();
                    detections.add(new Detection(
                            i + 1,
                            r.nextDouble() < 0.8 ? g.label() : r.nextInt(80),
                            r.nextDouble(),
                            g.x1() + jx,
                            g.y1() + jy,
                            g.x2() + jx,
                            g.y2() + jy));
                } else {
                    double w = 4 + r.nextDouble() * 300;
                    double h = 4 + r.nextDouble() * 300;
                    double x = r.nextDouble() * (640 - w);
                    double y = r.nextDouble() * (480 - h);
                    detections.add(new Detection(i + 1, r.nextInt(80), r.nextDouble() * 0.5, x, y, x + w, y + h));
                }
            }
        }
        dataset = new SyntheticGroundTruth(categories, annotations);
    }

    @Benchmark
    public double cocoEvaluate() {
        EvaluationResult result = evaluator.evaluate(dataset, detections);
        return result.primary();
    }

    /** Ground truth only: evaluation never decodes images. */
    private record SyntheticGroundTruth(List<Category> categories, List<ImageAnnotations> all)
            implements DetectionDataset {
        @Override
        public String name() {
            return "synthetic-coco";
        }

        @Override
        public int size() {
            return all.size();
        }

        @Override
        public ImageAnnotations annotations(int index) {
            return all.get(index);
        }

        @Override
        public DecodedImage image(int index) throws IOException {
            throw new IOException("synthetic ground truth has no pixels");
        }
    }
}
