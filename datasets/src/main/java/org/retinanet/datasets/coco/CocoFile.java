package org.retinanet.datasets.coco;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.retinanet.api.registry.UserException;

/**
 * The raw content of a COCO instances file, read with Jackson's streaming parser into primitive
 * arrays (train2017's 860k annotations take about 60 MB this way, a tree would need gigabytes).
 * Segmentations, licenses and info are skipped. Nothing is validated across sections here.
 */
public final class CocoFile {

    final Path file;

    // images
    int imageCount;
    long[] imageIds = new long[1024];
    String[] fileNames = new String[1024]; // null entries only when file names are not needed
    int[] widths = new int[1024];
    int[] heights = new int[1024];

    // categories
    final List<Long> categoryIds = new ArrayList<>();
    final List<String> categoryNames = new ArrayList<>();

    // annotations
    int annCount;
    long[] annIds = new long[4096];
    long[] annImageIds = new long[4096];
    long[] annCategoryIds = new long[4096];
    double[] annBoxes = new double[4 * 4096]; // x, y, w, h
    double[] annAreas = new double[4096];
    boolean[] annCrowd = new boolean[4096];
    int[] annLines = new int[4096]; // where the annotation starts, for error messages
    int[] annColumns = new int[4096];

    private final boolean needFileNames;

    private CocoFile(Path file, boolean needFileNames) {
        this.file = file;
        this.needFileNames = needFileNames;
    }

    /** Parses {@code file}; bad content fails with one line naming the file, line and column. */
    public static CocoFile read(Path file) {
        return read(file, true);
    }

    /**
     * Parses {@code file}. {@code needFileNames}: whether every image needs a {@code file_name};
     * evaluation does without, as pycocotools (ids, sizes and annotations are what it scores).
     */
    public static CocoFile read(Path file, boolean needFileNames) {
        CocoFile coco = new CocoFile(file, needFileNames);
        try (JsonParser p = new JsonFactory().createParser(file.toFile())) {
            coco.parseRoot(p);
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new UserException("COCO annotation file not found: " + file);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + " column " + at.getColumnNr();
            throw new UserException("malformed JSON in " + file + where + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UserException("cannot read COCO annotation file " + file + ": " + e.getMessage(), e);
        }
        return coco;
    }

    private void parseRoot(JsonParser p) throws IOException {
        expect(p, p.nextToken(), JsonToken.START_OBJECT, "the top level");
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String section = p.currentName();
            JsonToken value = p.nextToken();
            switch (section) {
                case "images" -> {
                    expect(p, value, JsonToken.START_ARRAY, "'images'");
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        parseImage(p);
                    }
                }
                case "annotations" -> {
                    expect(p, value, JsonToken.START_ARRAY, "'annotations'");
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        parseAnnotation(p);
                    }
                }
                case "categories" -> {
                    expect(p, value, JsonToken.START_ARRAY, "'categories'");
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        parseCategory(p);
                    }
                }
                default -> p.skipChildren();
            }
        }
        if (p.nextToken() != null) {
            throw error(p, "unexpected content after the top-level object");
        }
    }

    private void parseImage(JsonParser p) throws IOException {
        JsonLocation start = p.currentTokenLocation();
        Long id = null;
        String name = null;
        int width = -1;
        int height = -1;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "id" -> id = p.getValueAsLong();
                case "file_name" -> name = p.getValueAsString();
                case "width" -> width = p.getValueAsInt(-1);
                case "height" -> height = p.getValueAsInt(-1);
                default -> p.skipChildren();
            }
        }
        if (id == null) {
            throw error(start, "image without 'id'");
        }
        if (name == null && needFileNames) {
            throw error(
                    start,
                    "image " + id + " has no 'file_name', which is needed to read the image"
                            + " (only evaluation does without)");
        }
        if (width <= 0 || height <= 0) {
            throw error(start, "image " + id + " needs positive 'width' and 'height'");
        }
        if (imageCount == imageIds.length) {
            int n = imageCount * 2;
            imageIds = Arrays.copyOf(imageIds, n);
            fileNames = Arrays.copyOf(fileNames, n);
            widths = Arrays.copyOf(widths, n);
            heights = Arrays.copyOf(heights, n);
        }
        imageIds[imageCount] = id;
        fileNames[imageCount] = name;
        widths[imageCount] = width;
        heights[imageCount] = height;
        imageCount++;
    }

    private void parseCategory(JsonParser p) throws IOException {
        JsonLocation start = p.currentTokenLocation();
        Long id = null;
        String name = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "id" -> id = p.getValueAsLong();
                case "name" -> name = p.getValueAsString();
                default -> p.skipChildren();
            }
        }
        if (id == null) {
            throw error(start, "category without 'id'");
        }
        categoryIds.add(id);
        categoryNames.add(name == null ? String.valueOf(id) : name);
    }

    private void parseAnnotation(JsonParser p) throws IOException {
        JsonLocation start = p.currentTokenLocation();
        if (annCount == annIds.length) {
            growAnnotations();
        }
        int i = annCount;
        long id = i + 1L; // pycocotools' loadRes numbers results the same way
        Long imageId = null;
        Long categoryId = null;
        int boxValues = -1;
        double area = Double.NaN;
        boolean crowd = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            switch (field) {
                case "id" -> id = p.getValueAsLong();
                case "image_id" -> imageId = p.getValueAsLong();
                case "category_id" -> categoryId = p.getValueAsLong();
                case "area" -> area = p.getValueAsDouble();
                case "iscrowd" -> crowd = t == JsonToken.VALUE_TRUE || (t.isNumeric() && p.getValueAsInt() != 0);
                case "bbox" -> {
                    if (t != JsonToken.START_ARRAY) {
                        throw error(start, "annotation " + id + ": 'bbox' must be an array [x, y, w, h]");
                    }
                    boxValues = 0;
                    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                        if (!t.isNumeric()) {
                            throw error(start, "annotation " + id + ": 'bbox' holds a non-number");
                        }
                        if (boxValues < 4) {
                            annBoxes[4 * i + boxValues] = p.getDoubleValue();
                        }
                        boxValues++;
                    }
                }
                default -> p.skipChildren();
            }
        }
        if (boxValues != 4) {
            throw error(
                    start,
                    "annotation " + id + ": bbox has " + (boxValues < 0 ? "no values" : boxValues + " values")
                            + ", expected 4 [x, y, w, h]");
        }
        if (imageId == null || categoryId == null) {
            throw error(start, "annotation " + id + " needs 'image_id' and 'category_id'");
        }
        annIds[i] = id;
        annImageIds[i] = imageId;
        annCategoryIds[i] = categoryId;
        // files without 'area' (hand-made ones) get the box area
        annAreas[i] = Double.isNaN(area) ? annBoxes[4 * i + 2] * annBoxes[4 * i + 3] : area;
        annCrowd[i] = crowd;
        annLines[i] = start.getLineNr();
        annColumns[i] = start.getColumnNr();
        annCount++;
    }

    private void growAnnotations() {
        int n = annIds.length * 2;
        annIds = Arrays.copyOf(annIds, n);
        annImageIds = Arrays.copyOf(annImageIds, n);
        annCategoryIds = Arrays.copyOf(annCategoryIds, n);
        annBoxes = Arrays.copyOf(annBoxes, 4 * n);
        annAreas = Arrays.copyOf(annAreas, n);
        annCrowd = Arrays.copyOf(annCrowd, n);
        annLines = Arrays.copyOf(annLines, n);
        annColumns = Arrays.copyOf(annColumns, n);
    }

    private void expect(JsonParser p, JsonToken actual, JsonToken wanted, String what) {
        if (actual != wanted) {
            throw error(p, what + " must be " + (wanted == JsonToken.START_ARRAY ? "an array" : "an object"));
        }
    }

    private UserException error(JsonParser p, String message) {
        return error(p.currentTokenLocation(), message);
    }

    private UserException error(JsonLocation at, String message) {
        return new UserException(file + " line " + at.getLineNr() + " column " + at.getColumnNr() + ": " + message);
    }

    /** An error about annotation {@code i}, located where it starts in the file. */
    UserException annotationError(int i, String message) {
        return new UserException(file + " line " + annLines[i] + " column " + annColumns[i] + ": annotation "
                + annIds[i] + " " + message);
    }

    public int imageCount() {
        return imageCount;
    }

    public int annotationCount() {
        return annCount;
    }
}
