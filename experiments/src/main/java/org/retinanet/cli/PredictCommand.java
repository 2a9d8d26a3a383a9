package org.retinanet.cli;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import org.retinanet.api.config.DatasetConfig;
import org.retinanet.api.data.Category;
import org.retinanet.api.data.CocoResultsJson;
import org.retinanet.api.data.DatasetContext;
import org.retinanet.api.data.Detection;
import org.retinanet.api.data.DetectionDataset;
import org.retinanet.api.registry.UserException;
import org.retinanet.experiments.train.Drawing;
import org.retinanet.experiments.train.Inference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code retinanet predict}: detections of a trained (or imported) detector on image files, in
 * COCO results format.
 *
 * <p>Category ids: with torchvision weights, torchvision's label index (its 91 COCO classes are
 * indexed by COCO category id, so the index is the id); otherwise the categories of the config's
 * dataset (data.val, else data.train) when it can be read and has the model's class count; else
 * the 0-based label index.
 */
@Command(
        name = "predict",
        mixinStandardHelpOptions = true,
        description = "Detect objects in images with a detector's weights; writes COCO results JSON"
                + " (image_id, category_id, bbox as x,y,w,h, score).")
final class PredictCommand implements Callable<Integer> {

    @ParentCommand
    RootCommand root;

    @Mixin
    ConfigOptions configOptions;

    @Mixin
    WeightsOption weightsOption;

    @Option(
            names = "--image",
            required = true,
            paramLabel = "FILE",
            description = "Image file (JPEG or PNG; repeatable).")
    List<Path> images = new ArrayList<>();

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "COCO results JSON to write.")
    Path out;

    @Option(
            names = "--draw",
            paramLabel = "FILE.png",
            description = "Also draw the detections (score >= 0.3); with several images, FILE_<image stem>.png each.")
    Path draw;

    @Mixin
    DeviceOption deviceOption;

    @Mixin
    PrecisionOption precisionOption;

    @Override
    public Integer call() throws Exception {
        var registry = root.registry();
        try (LoadedModel model = LoadedModel.open(
                registry,
                configOptions.required(),
                configOptions.overrides,
                weightsOption.weights,
                deviceOption.device,
                precisionOption.get())) {
            DetectionDataset dataset = imageDataset(model, images);
            List<Detection> detections = detect(model, dataset);
            List<Category> categories = categories(model);
            CocoResultsJson.write(out, detections, categories);
            System.out.println(detections.size() + " detections on " + dataset.size() + " image(s) written to " + out);
            if (draw != null) {
                for (Path written : draw(dataset, detections, categories)) {
                    System.out.println("drawn: " + written);
                }
            }
            return 0;
        }
    }

    /** Detections in original-image pixels, through the config's test-time pipeline, one image per batch. */
    static List<Detection> detect(LoadedModel model, DetectionDataset dataset) {
        return Inference.detectAll(
                model.detector,
                model.parameterStore,
                dataset,
                model.testPipeline(1),
                model.manager,
                model.device,
                model.parameterStore.plan().computeType());
    }

    /** The files as the {@code images} dataset plugin reads them (ids: numeric file names, else list order). */
    static DetectionDataset imageDataset(LoadedModel model, List<Path> images) {
        List<String> files =
                images.stream().map(p -> p.toAbsolutePath().toString()).toList();
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("type", "images");
        tree.put("files", files);
        DatasetConfig cfg = model.registry.mapper().convertValue(tree, DatasetConfig.class);
        return model.registry.dataset(
                cfg,
                new DatasetContext(
                        Path.of("").toAbsolutePath(),
                        false,
                        model.experiment.config().seed()));
    }

    /** The category each label is written as (see the class comment). */
    private static List<Category> categories(LoadedModel model) {
        int k = model.detector.head().numClasses();
        if (model.torchvisionWeights()) {
            System.err.println(
                    "retinanet: torchvision weights: category_id is torchvision's label index (= COCO category id)");
            return labelIndices(k);
        }
        var data = model.experiment.config().data();
        for (boolean val : new boolean[] {true, false}) {
            var split = data == null ? null : val ? data.val() : data.train();
            if (split == null || split.dataset() == null) {
                continue;
            }
            try {
                List<Category> categories = model.experiment.categories(model.registry, val);
                if (categories.size() == k) {
                    return categories;
                }
            } catch (UserException e) {
                // no readable dataset (the usual case for a preset): fall through to label indices
            }
        }
        System.err.println("retinanet: no dataset with " + k
                + " categories in the config: category_id is the 0-based label index");
        return labelIndices(k);
    }

    private static List<Category> labelIndices(int k) {
        List<Category> out = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            out.add(new Category(i, i, String.valueOf(i)));
        }
        return out;
    }

    private List<Path> draw(DetectionDataset dataset, List<Detection> detections, List<Category> categories)
            throws IOException {
        List<Path> written = new ArrayList<>();
        DetectionDataset named = new Named(dataset, categories);
        for (int i = 0; i < dataset.size(); i++) {
            long id = dataset.annotations(i).image().id();
            BufferedImage img = Drawing.toImage(dataset.image(i));
            Graphics2D g = img.createGraphics();
            Drawing.drawDetections(
                    g, detections.stream().filter(d -> d.imageId() == id).toList(), named);
            g.dispose();
            Path target = dataset.size() == 1
                    ? draw
                    : sibling(draw, dataset.annotations(i).image().file());
            if (!ImageIO.write(img, "png", target.toFile())) {
                throw new UserException("--draw " + target + ": no PNG writer available");
            }
            written.add(target);
        }
        return written;
    }

    private static Path sibling(Path draw, Path image) {
        String base = draw.getFileName().toString().replaceFirst("\\.png$", "");
        String stem = image.getFileName().toString().replaceFirst("\\.[^.]*$", "");
        return draw.resolveSibling(base + "_" + stem + ".png");
    }

    /** The image list with the categories predict writes, so drawn labels carry their names. */
    private record Named(DetectionDataset inner, List<Category> categories) implements DetectionDataset {
        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public int size() {
            return inner.size();
        }

        @Override
        public org.retinanet.api.data.ImageAnnotations annotations(int index) {
            return inner.annotations(index);
        }

        @Override
        public org.retinanet.api.data.DecodedImage image(int index) throws IOException {
            return inner.image(index);
        }
    }
}
