package org.retinanet.datasets.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.retinanet.api.data.Category;
import org.retinanet.api.data.Detection;
import org.retinanet.api.data.GtBox;
import org.retinanet.api.data.ImageAnnotations;
import org.retinanet.api.data.ImageInfo;

/**
 * Reads the committed pycocotools fixtures (scripts/fixtures/evaluators_cocoeval.py): the COCO
 * problem (images, categories, annotations, detections) and pycocotools' outputs.
 */
final class CocoEvalFixtures {

    static final List<String> NAMES =
            List.of("basic", "ties", "crowded", "integers", "id-zero", "floats", "boundaries", "no-detections");

    private CocoEvalFixtures() {}

    static JsonNode load(String name) {
        String resource = "/fixtures/cocoeval/" + name + ".json";
        try (InputStream in = CocoEvalFixtures.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The problem with boxes exactly as the JSON holds them (x, y, w, h). */
    static CocoEvalProblem problem(JsonNode c) {
        List<JsonNode> images = list(c.get("images"));
        List<JsonNode> cats = list(c.get("categories"));
        CocoEvalProblem.Builder b = CocoEvalProblem.builder()
                .images(images.stream().mapToLong(i -> i.get("id").asLong()).toArray())
                .categories(
                        cats.stream().mapToLong(k -> k.get("id").asLong()).toArray(),
                        cats.stream().map(k -> k.get("name").asText()).toArray(String[]::new));
        for (JsonNode a : c.get("annotations")) {
            JsonNode bb = a.get("bbox");
            b.addGt(
                    a.get("image_id").asLong(),
                    a.get("category_id").asLong(),
                    bb.get(0).asDouble(),
                    bb.get(1).asDouble(),
                    bb.get(2).asDouble(),
                    bb.get(3).asDouble(),
                    a.get("area").asDouble(),
                    a.get("iscrowd").asInt() != 0,
                    a.get("id").asLong());
        }
        for (JsonNode d : c.get("detections")) {
            JsonNode bb = d.get("bbox");
            b.addDetection(
                    d.get("image_id").asLong(),
                    d.get("category_id").asLong(),
                    bb.get(0).asDouble(),
                    bb.get(1).asDouble(),
                    bb.get(2).asDouble(),
                    bb.get(3).asDouble(),
                    d.get("score").asDouble());
        }
        return b.build();
    }

    /** Categories with contiguous labels in sorted-id order, as the coco dataset assigns them. */
    static List<Category> categories(JsonNode c) {
        List<JsonNode> cats = list(c.get("categories"));
        cats.sort(Comparator.comparingLong(k -> k.get("id").asLong()));
        List<Category> out = new ArrayList<>();
        for (JsonNode k : cats) {
            out.add(new Category(out.size(), k.get("id").asLong(), k.get("name").asText()));
        }
        return out;
    }

    /** The ground truth as a dataset: corners x2 = x + w, images in file order. */
    static InMemoryDataset dataset(JsonNode c) {
        List<Category> categories = categories(c);
        List<ImageAnnotations> images = new ArrayList<>();
        for (JsonNode i : c.get("images")) {
            long id = i.get("id").asLong();
            List<GtBox> boxes = new ArrayList<>();
            for (JsonNode a : c.get("annotations")) {
                if (a.get("image_id").asLong() == id) {
                    JsonNode bb = a.get("bbox");
                    double x = bb.get(0).asDouble();
                    double y = bb.get(1).asDouble();
                    boxes.add(new GtBox(
                            a.get("id").asLong(),
                            x,
                            y,
                            x + bb.get(2).asDouble(),
                            y + bb.get(3).asDouble(),
                            labelOf(categories, a.get("category_id").asLong()),
                            a.get("iscrowd").asInt() != 0,
                            a.get("area").asDouble()));
                }
            }
            images.add(new ImageAnnotations(new ImageInfo(id, null, 640, 480), boxes));
        }
        return new InMemoryDataset(c.get("name").asText(), categories, images);
    }

    static List<Detection> detections(JsonNode c) {
        List<Category> categories = categories(c);
        List<Detection> out = new ArrayList<>();
        for (JsonNode d : c.get("detections")) {
            JsonNode bb = d.get("bbox");
            double x = bb.get(0).asDouble();
            double y = bb.get(1).asDouble();
            out.add(new Detection(
                    d.get("image_id").asLong(),
                    labelOf(categories, d.get("category_id").asLong()),
                    d.get("score").asDouble(),
                    x,
                    y,
                    x + bb.get(2).asDouble(),
                    y + bb.get(3).asDouble()));
        }
        return out;
    }

    static int labelOf(List<Category> categories, long id) {
        return categories.stream()
                .filter(k -> k.datasetId() == id)
                .findFirst()
                .orElseThrow()
                .label();
    }

    static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asDouble();
        }
        return out;
    }

    private static List<JsonNode> list(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out;
    }
}
