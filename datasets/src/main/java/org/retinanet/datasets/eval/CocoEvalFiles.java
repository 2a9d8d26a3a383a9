package org.retinanet.datasets.eval;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.retinanet.api.data.CocoResultsJson;

/**
 * A COCO evaluation straight from files, as {@code COCO(gt); gt.loadRes(dets)} sees them: every
 * annotation (degenerate ones too), boxes exactly as written (x, y, w, h), {@code area} and
 * {@code iscrowd} as given ({@code area} = w * h where a file has none). This is the exact path for {@code retinanet evaluate --annotations
 * gt.json --detections dets.json}; a dataset's corner boxes may differ from the file's widths in
 * the last bit. Streaming: segmentations are skipped without building them.
 */
public final class CocoEvalFiles {

    private static final JsonFactory JSON = new JsonFactory();

    private CocoEvalFiles() {}

    /** Reads both files and evaluates. */
    public static CocoEvalResult evaluate(Path annotations, Path detections, CocoEvaluatorConfig config)
            throws IOException {
        return CocoEval.run(problem(annotations, detections), config);
    }

    public static CocoEvalProblem problem(Path annotations, Path detections) throws IOException {
        CocoEvalProblem.Builder builder = groundTruth(annotations);
        CocoResultsJson.read(detections, builder::addDetection);
        return builder.build();
    }

    /** A builder holding the ground truth of a COCO instances file; add detections, then build. */
    public static CocoEvalProblem.Builder groundTruth(Path file) throws IOException {
        String name = file.toString();
        Annotations anns = new Annotations();
        long[] imageIds = new long[0];
        List<Long> catIds = new ArrayList<>();
        List<String> catNames = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file);
                JsonParser p = JSON.createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw error(name, p, "expected a JSON object with images, annotations and categories");
            }
            boolean sawImages = false;
            boolean sawCategories = false;
            for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
                JsonToken t = p.nextToken();
                switch (field) {
                    case "images" -> {
                        imageIds = readImages(p, t, name);
                        sawImages = true;
                    }
                    case "categories" -> {
                        readCategories(p, t, name, catIds, catNames);
                        sawCategories = true;
                    }
                    case "annotations" -> readAnnotations(p, t, name, anns);
                    default -> p.skipChildren();
                }
            }
            if (!sawImages || !sawCategories) {
                throw new IOException(name + ": no '" + (sawImages ? "categories" : "images") + "' array");
            }
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(name, null, "annotation file not found");
        } catch (JsonParseException e) {
            JsonLocation l = e.getLocation();
            throw new IOException(
                    name + ": malformed JSON at line " + l.getLineNr() + ", column " + l.getColumnNr() + ": "
                            + e.getOriginalMessage(),
                    e);
        }
        CocoEvalProblem.Builder b = CocoEvalProblem.builder()
                .images(imageIds)
                .categories(catIds.stream().mapToLong(Long::longValue).toArray(), catNames.toArray(String[]::new));
        for (int i = 0; i < anns.n; i++) {
            try {
                b.addGt(
                        anns.image[i],
                        anns.category[i],
                        anns.box[4 * i],
                        anns.box[4 * i + 1],
                        anns.box[4 * i + 2],
                        anns.box[4 * i + 3],
                        anns.area[i],
                        anns.crowd[i],
                        anns.id[i]);
            } catch (IllegalArgumentException e) {
                throw new IOException(name + ": line " + anns.line[i] + ": " + e.getMessage(), e);
            }
        }
        return b;
    }

    private static long[] readImages(JsonParser p, JsonToken t, String name) throws IOException {
        expectArray(p, t, name, "images");
        long[] ids = new long[1024];
        int n = 0;
        while (p.nextToken() == JsonToken.START_OBJECT) {
            Long id = null;
            int line = p.currentTokenLocation().getLineNr();
            for (String f = p.nextFieldName(); f != null; f = p.nextFieldName()) {
                JsonToken v = p.nextToken();
                if (f.equals("id")) {
                    id = integer(p, v, name, "image id");
                } else {
                    p.skipChildren();
                }
            }
            if (id == null) {
                throw new IOException(name + ": line " + line + ": image " + n + " has no 'id'");
            }
            if (n == ids.length) {
                ids = Arrays.copyOf(ids, n * 2);
            }
            ids[n++] = id;
        }
        expectEnd(p, name, "images");
        return Arrays.copyOf(ids, n);
    }

    private static void readCategories(JsonParser p, JsonToken t, String name, List<Long> ids, List<String> names)
            throws IOException {
        expectArray(p, t, name, "categories");
        while (p.nextToken() == JsonToken.START_OBJECT) {
            Long id = null;
            String label = null;
            int line = p.currentTokenLocation().getLineNr();
            for (String f = p.nextFieldName(); f != null; f = p.nextFieldName()) {
                JsonToken v = p.nextToken();
                if (f.equals("id")) {
                    id = integer(p, v, name, "category id");
                } else if (f.equals("name") && v == JsonToken.VALUE_STRING) {
                    label = p.getText();
                } else {
                    p.skipChildren();
                }
            }
            if (id == null) {
                throw new IOException(name + ": line " + line + ": category " + ids.size() + " has no 'id'");
            }
            ids.add(id);
            names.add(label == null ? String.valueOf(id) : label);
        }
        expectEnd(p, name, "categories");
    }

    private static void readAnnotations(JsonParser p, JsonToken t, String name, Annotations a) throws IOException {
        expectArray(p, t, name, "annotations");
        while (p.nextToken() == JsonToken.START_OBJECT) {
            int line = p.currentTokenLocation().getLineNr();
            long id = 0;
            long image = 0;
            long category = 0;
            double area = Double.NaN;
            boolean crowd = false;
            double[] box = null;
            boolean hasId = false;
            boolean hasImage = false;
            boolean hasCategory = false;
            for (String f = p.nextFieldName(); f != null; f = p.nextFieldName()) {
                JsonToken v = p.nextToken();
                switch (f) {
                    case "id" -> {
                        id = integer(p, v, name, "annotation id");
                        hasId = true;
                    }
                    case "image_id" -> {
                        image = integer(p, v, name, "image_id");
                        hasImage = true;
                    }
                    case "category_id" -> {
                        category = integer(p, v, name, "category_id");
                        hasCategory = true;
                    }
                    case "area" -> area = number(p, v, name, "area");
                    case "iscrowd" ->
                        crowd = v == JsonToken.VALUE_TRUE || (v == JsonToken.VALUE_NUMBER_INT && p.getLongValue() != 0);
                    case "bbox" -> box = bbox(p, v, name);
                    default -> p.skipChildren();
                }
            }
            String missing =
                    !hasId ? "id" : !hasImage ? "image_id" : !hasCategory ? "category_id" : box == null ? "bbox" : null;
            if (missing != null) {
                throw new IOException(name + ": line " + line + ": annotation " + a.n + " has no '" + missing + "'");
            }
            a.add(id, image, category, box, Double.isNaN(area) ? box[2] * box[3] : area, crowd, line);
        }
        expectEnd(p, name, "annotations");
    }

    private static double[] bbox(JsonParser p, JsonToken v, String name) throws IOException {
        if (v != JsonToken.START_ARRAY) {
            throw error(name, p, "'bbox' must be an array [x, y, w, h]");
        }
        double[] b = new double[4];
        int n = 0;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            double value = number(p, t, name, "bbox");
            if (n < 4) {
                b[n] = value;
            }
            n++;
        }
        if (n != 4) {
            throw error(name, p, "'bbox' has " + n + " numbers, expected 4 (x, y, w, h)");
        }
        return b;
    }

    private static long integer(JsonParser p, JsonToken v, String name, String what) throws IOException {
        if (v != JsonToken.VALUE_NUMBER_INT) {
            throw error(name, p, what + " must be an integer, got " + p.getText());
        }
        return p.getLongValue();
    }

    private static double number(JsonParser p, JsonToken v, String name, String what) throws IOException {
        if (v != JsonToken.VALUE_NUMBER_INT && v != JsonToken.VALUE_NUMBER_FLOAT) {
            throw error(name, p, what + " must be a number, got " + p.getText());
        }
        return p.getDoubleValue();
    }

    private static void expectArray(JsonParser p, JsonToken t, String name, String field) throws IOException {
        if (t != JsonToken.START_ARRAY) {
            throw error(name, p, "'" + field + "' must be an array");
        }
    }

    private static void expectEnd(JsonParser p, String name, String field) throws IOException {
        if (p.currentToken() != JsonToken.END_ARRAY) {
            throw error(name, p, "'" + field + "' must hold objects");
        }
    }

    private static IOException error(String file, JsonParser p, String message) {
        JsonLocation at = p.currentTokenLocation();
        return new IOException(file + ": line " + at.getLineNr() + ", column " + at.getColumnNr() + ": " + message);
    }

    /** Annotations in file order, kept until images and categories (which may come later) are known. */
    private static final class Annotations {
        int n;
        long[] id = new long[1024], image = new long[1024], category = new long[1024];
        double[] box = new double[4096], area = new double[1024];
        boolean[] crowd = new boolean[1024];
        int[] line = new int[1024];

        void add(long id, long image, long category, double[] b, double area, boolean crowd, int line) {
            if (n == this.id.length) {
                int m = n * 2;
                this.id = Arrays.copyOf(this.id, m);
                this.image = Arrays.copyOf(this.image, m);
                this.category = Arrays.copyOf(this.category, m);
                this.box = Arrays.copyOf(this.box, 4 * m);
                this.area = Arrays.copyOf(this.area, m);
                this.crowd = Arrays.copyOf(this.crowd, m);
                this.line = Arrays.copyOf(this.line, m);
            }
            this.id[n] = id;
            this.image[n] = image;
            this.category[n] = category;
            System.arraycopy(b, 0, box, 4 * n, 4);
            this.area[n] = area;
            this.crowd[n] = crowd;
            this.line[n] = line;
            n++;
        }
    }
}
