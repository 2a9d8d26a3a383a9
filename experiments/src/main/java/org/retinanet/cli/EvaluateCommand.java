package org.retinanet.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.retinanet.api.config.DatasetConfig;
import org.retinanet.api.config.EvaluatorConfig;
import org.retinanet.api.data.CocoResultsJson;
import org.retinanet.api.data.DatasetContext;
import org.retinanet.api.data.Detection;
import org.retinanet.api.data.DetectionDataset;
import org.retinanet.api.data.EvaluationResult;
import org.retinanet.api.registry.Registry;
import org.retinanet.api.registry.UserException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code retinanet evaluate}: COCO box evaluation of a results file against ground truth, as
 * pycocotools' COCOeval. Only the annotations are read, never the images.
 */
@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        description = "Score COCO results (image_id, category_id, bbox, score) against COCO ground truth:"
                + " pycocotools' 12 numbers.")
final class EvaluateCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @ParentCommand
    RootCommand root;

    @Option(
            names = "--annotations",
            required = true,
            paramLabel = "FILE",
            description = "COCO instances JSON (ground truth).")
    Path annotations;

    @Option(names = "--detections", required = true, paramLabel = "FILE", description = "COCO results JSON.")
    Path detections;

    @Option(
            names = "--json",
            description = "Print the 12 numbers as JSON with pycocotools' names (AP, AP50, ..., ARl).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        EvaluationResult result = evaluate(root.registry(), annotations, detections);
        if (json) {
            System.out.println(JSON.writeValueAsString(result.metrics()));
        } else {
            System.out.println(result.summary());
        }
        return 0;
    }

    static EvaluationResult evaluate(Registry registry, Path annotations, Path detections) {
        if (!Files.isRegularFile(detections)) {
            throw new UserException("detections " + detections + ": no such file");
        }
        DetectionDataset gt = groundTruth(registry, annotations);
        List<Detection> dets;
        try {
            dets = CocoResultsJson.read(detections, gt.categories());
        } catch (IOException e) {
            throw new UserException("detections " + e.getMessage(), e); // the message starts with the file
        }
        Set<Long> imageIds = new HashSet<>();
        for (int i = 0; i < gt.size(); i++) {
            imageIds.add(gt.annotations(i).image().id());
        }
        for (Detection d : dets) {
            if (!imageIds.contains(d.imageId())) {
                // pycocotools' loadRes refuses these too ("Results do not correspond to current coco set")
                throw new UserException("detections " + detections + ": image_id " + d.imageId()
                        + " is not an image of the ground truth " + annotations);
            }
        }
        EvaluatorConfig cfg = registry.mapper().convertValue(Map.of("type", "coco"), EvaluatorConfig.class);
        return registry.evaluator(cfg).evaluate(gt, dets);
    }

    /** The coco dataset over the annotations only: every image kept, images never decoded. */
    private static DetectionDataset groundTruth(Registry registry, Path annotations) {
        if (!Files.isRegularFile(annotations)) {
            throw new UserException("annotations " + annotations + ": no such file");
        }
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("type", "coco");
        tree.put("annotations", annotations.toAbsolutePath().toString());
        tree.put("filterEmpty", false);
        tree.put("minSize", 0);
        DatasetConfig cfg = registry.mapper().convertValue(tree, DatasetConfig.class);
        // annotations only: images need neither a file nor a file_name (pycocotools does without them too)
        return registry.dataset(cfg, new DatasetContext(Path.of("").toAbsolutePath(), false, 0L, false));
    }
}
