package org.retinanet.experiments.train;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.retinanet.api.data.Category;
import org.retinanet.api.data.Detection;
import org.retinanet.api.registry.UserException;

/**
 * Detections in COCO results format ({@code image_id}, {@code category_id}, {@code bbox} as
 * x, y, w, h, {@code score}), readable by pycocotools' loadRes. Written atomically.
 */
public final class CocoResults {

    private static final JsonFactory JSON = new JsonFactory();

    private CocoResults() {}

    public static void write(List<Detection> detections, List<Category> categories, Path file) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try (JsonGenerator g = JSON.createGenerator(tmp.toFile(), JsonEncoding.UTF8)) {
            g.writeStartArray();
            for (Detection d : detections) {
                g.writeStartObject();
                g.writeNumberField("image_id", d.imageId());
                g.writeNumberField("category_id", categories.get(d.label()).datasetId());
                g.writeArrayFieldStart("bbox");
                g.writeNumber(d.x1());
                g.writeNumber(d.y1());
                g.writeNumber(d.x2() - d.x1());
                g.writeNumber(d.y2() - d.y1());
                g.writeEndArray();
                g.writeNumberField("score", d.score());
                g.writeEndObject();
                g.writeRaw('\n');
            }
            g.writeEndArray();
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Reads a results file; category ids map to labels through {@code categories}. */
    public static List<Detection> read(Path file, List<Category> categories) {
        Map<Long, Integer> labelOf = new HashMap<>();
        categories.forEach(c -> labelOf.put(c.datasetId(), c.label()));
        List<Detection> out = new ArrayList<>();
        try (JsonParser p = JSON.createParser(file.toFile())) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new UserException("detections " + file + ": expected a JSON array of results" + at(p));
            }
            while (p.nextToken() == JsonToken.START_OBJECT) {
                Long imageId = null;
                Long categoryId = null;
                double score = Double.NaN;
                double[] bbox = null;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken t = p.nextToken();
                    switch (field) {
                        case "image_id" -> imageId = p.getLongValue();
                        case "category_id" -> categoryId = p.getLongValue();
                        case "score" -> score = p.getDoubleValue();
                        case "bbox" -> bbox = readBox(p, file);
                        default -> p.skipChildren();
                    }
                    if (t == null) {
                        break;
                    }
                }
                if (imageId == null || categoryId == null || bbox == null || Double.isNaN(score)) {
                    throw new UserException("detections " + file + ": result without image_id, category_id, bbox or score" + at(p));
                }
                Integer label = labelOf.get(categoryId);
                if (label == null) {
                    throw new UserException("detections " + file + ": category_id " + categoryId
                            + " is not a category of the ground truth" + at(p));
                }
                out.add(new Detection(imageId, label, score, bbox[0], bbox[1], bbox[0] + bbox[2], bbox[1] + bbox[3]));
            }
        } catch (JsonProcessingException e) {
            throw new UserException("detections " + file + ": malformed JSON at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UserException("detections " + file + ": cannot read: " + e.getMessage());
        }
        return out;
    }

    private static double[] readBox(JsonParser p, Path file) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw new UserException("detections " + file + ": bbox must be [x, y, w, h]" + at(p));
        }
        double[] v = new double[4];
        int n = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (n < 4) {
                v[n] = p.getDoubleValue();
            }
            n++;
        }
        if (n != 4) {
            throw new UserException("detections " + file + ": bbox has " + n + " numbers, expected 4 (x, y, w, h)" + at(p));
        }
        return v;
    }

    private static String at(JsonParser p) {
        var loc = p.currentLocation();
        return " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
    }
}
