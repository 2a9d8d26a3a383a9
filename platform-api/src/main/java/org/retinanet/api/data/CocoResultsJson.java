package org.retinanet.api.data;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Detections in COCO's results format: a JSON array of
 * {@code {"image_id": 1, "category_id": 18, "bbox": [x, y, w, h], "score": 0.9}}, with the
 * category's dataset id and the box as (x1, y1, x2 - x1, y2 - y1), readable by pycocotools'
 * loadRes. Streaming (Jackson core), so a COCO-val-sized file of 500k detections reads and writes
 * in well under a second. Bad input is one IOException naming the file, the place and the problem.
 */
public final class CocoResultsJson {

    private static final JsonFactory JSON = new JsonFactory();

    private CocoResultsJson() {}

    /** Receives one detection as the file holds it. */
    @FunctionalInterface
    public interface Sink {
        void accept(long imageId, long categoryId, double x, double y, double w, double h, double score);
    }

    /**
     * Writes one detection a line (so that read errors point at one), to a temporary file renamed
     * over {@code file}: a reader never sees half a file.
     */
    public static void write(Path file, List<Detection> detections, List<Category> categories) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16);
                JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartArray();
            for (Detection d : detections) {
                if (d.label() < 0 || d.label() >= categories.size()) {
                    throw new IllegalArgumentException(
                            "detection label " + d.label() + " is outside 0.." + (categories.size() - 1));
                }
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
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Reads a results file into detections with contiguous labels of {@code categories}
     * (x2 = x + w, y2 = y + h).
     *
     * @throws IOException naming the file: missing, malformed JSON (with line and column), a
     *     missing field, a bbox that is not four numbers, or a category id not in categories
     */
    public static List<Detection> read(Path file, List<Category> categories) throws IOException {
        Map<Long, Integer> labelOf = new HashMap<>();
        for (Category c : categories) {
            labelOf.put(c.datasetId(), c.label());
        }
        List<Detection> out = new ArrayList<>();
        read(file, (imageId, categoryId, x, y, w, h, score) -> {
            Integer label = labelOf.get(categoryId);
            if (label == null) {
                throw new IllegalArgumentException("category_id " + categoryId
                        + " is not a category of the ground truth (" + categories.size() + " categories)");
            }
            out.add(new Detection(imageId, label, score, x, y, x + w, y + h));
        });
        return out;
    }

    /**
     * Streams a results file into {@code sink}, values exactly as written (for evaluation without
     * the corner round trip). An IllegalArgumentException from the sink is reported as an
     * IOException naming the file, the detection's index and its line.
     */
    public static void read(Path file, Sink sink) throws IOException {
        String name = file.toString();
        try (InputStream in = Files.newInputStream(file);
                JsonParser p = JSON.createParser(in)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw error(name, p.currentTokenLocation(), "expected a JSON array of detections");
            }
            int index = 0;
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken(), index++) {
                if (t == null) {
                    throw error(name, p.currentTokenLocation(), "unexpected end of file inside the array");
                }
                if (t != JsonToken.START_OBJECT) {
                    throw error(name, p.currentTokenLocation(), "detection " + index + " is not an object");
                }
                JsonLocation start = p.currentTokenLocation();
                readOne(p, name, index, start, sink);
            }
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(name, null, "detections file not found");
        } catch (JsonParseException e) {
            JsonLocation l = e.getLocation();
            throw new IOException(
                    name + ": malformed JSON at line " + l.getLineNr() + ", column " + l.getColumnNr() + ": "
                            + e.getOriginalMessage(),
                    e);
        }
    }

    private static void readOne(JsonParser p, String name, int index, JsonLocation start, Sink sink)
            throws IOException {
        long imageId = 0;
        long categoryId = 0;
        double score = 0;
        double[] bbox = null;
        boolean hasImage = false;
        boolean hasCategory = false;
        boolean hasScore = false;
        for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
            JsonToken v = p.nextToken();
            switch (field) {
                case "image_id" -> {
                    imageId = v == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : integer(p, v, name, index, field);
                    hasImage = true;
                }
                case "category_id" -> {
                    categoryId = v == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : integer(p, v, name, index, field);
                    hasCategory = true;
                }
                case "score" -> {
                    score = number(p, v, name, index, field);
                    hasScore = true;
                }
                case "bbox" -> bbox = box(p, v, name, index);
                default -> p.skipChildren();
            }
        }
        if (p.currentToken() != JsonToken.END_OBJECT) {
            throw error(name, p.currentTokenLocation(), "detection " + index + ": expected a field name");
        }
        String missing = !hasImage
                ? "image_id"
                : !hasCategory ? "category_id" : bbox == null ? "bbox" : !hasScore ? "score" : null;
        if (missing != null) {
            throw error(name, start, "detection " + index + " has no '" + missing + "'");
        }
        try {
            sink.accept(imageId, categoryId, bbox[0], bbox[1], bbox[2], bbox[3], score);
        } catch (IllegalArgumentException e) {
            String prefix = "detection " + index;
            String message = e.getMessage().startsWith(prefix) ? e.getMessage() : prefix + ": " + e.getMessage();
            throw error(name, start, message);
        }
    }

    private static long integer(JsonParser p, JsonToken v, String name, int index, String field) throws IOException {
        if (v != JsonToken.VALUE_NUMBER_INT) {
            throw error(
                    name,
                    p.currentTokenLocation(),
                    "detection " + index + ": '" + field + "' must be an integer, got " + p.getText());
        }
        return p.getLongValue();
    }

    private static double number(JsonParser p, JsonToken v, String name, int index, String field) throws IOException {
        if (v != JsonToken.VALUE_NUMBER_INT && v != JsonToken.VALUE_NUMBER_FLOAT) {
            throw error(
                    name,
                    p.currentTokenLocation(),
                    "detection " + index + ": '" + field + "' must be a number, got " + p.getText());
        }
        return p.getDoubleValue();
    }

    private static double[] box(JsonParser p, JsonToken v, String name, int index) throws IOException {
        if (v != JsonToken.START_ARRAY) {
            throw error(
                    name, p.currentTokenLocation(), "detection " + index + ": 'bbox' must be an array [x, y, w, h]");
        }
        double[] b = new double[4];
        int n = 0;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            double value = number(p, t, name, index, "bbox");
            if (n < 4) {
                b[n] = value;
            }
            n++;
        }
        if (n != 4) {
            throw error(
                    name,
                    p.currentTokenLocation(),
                    "detection " + index + ": 'bbox' has " + n + " numbers, expected 4 (x, y, w, h)");
        }
        return b;
    }

    private static IOException error(String file, JsonLocation at, String message) {
        return new IOException(file + ": line " + at.getLineNr() + ", column " + at.getColumnNr() + ": " + message);
    }
}
