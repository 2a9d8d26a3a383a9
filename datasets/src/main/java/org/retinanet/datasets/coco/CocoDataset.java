package org.retinanet.datasets.coco;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.retinanet.api.data.Category;
import org.retinanet.api.data.DecodedImage;
import org.retinanet.api.data.DetectionDataset;
import org.retinanet.api.data.GtBox;
import org.retinanet.api.data.ImageAnnotations;
import org.retinanet.api.data.ImageInfo;
import org.retinanet.api.registry.UserException;
import org.retinanet.datasets.BadImagePolicy;
import org.retinanet.datasets.image.ImageDecoder;

/**
 * A COCO instances file as a detection dataset, with mmdetection's CocoDataset rules: category ids
 * map to labels 0..K-1 in sorted id order; {@code iscrowd} boxes are kept as ignore regions;
 * boxes [x, y, w, h] become corners (x, y, x + w, y + h); an annotation is dropped (and counted)
 * when w &lt; 1, h &lt; 1, area &lt;= 0 or the box does not overlap the image. Image i of the
 * dataset is the i-th kept image in file order; {@link ImageInfo#id()} is the COCO image id.
 */
public final class CocoDataset implements DetectionDataset, BadImagePolicy {

    private final String name;
    private final CocoFile coco;
    private final Path imageDir;
    private final List<Category> categories;
    private final int[] annLabels; // per annotation; -1 never happens after validation
    private final boolean[] annDropped;
    private final int[] keptImages; // dataset index -> image index in the file
    private final int[] annStart; // per file image: offsets into annOrder (CSR)
    private final int[] annOrder;
    private final int droppedCount;
    private final int filteredCount;
    private final boolean skipBadImages;

    /**
     * @param readsImages whether the images will be read: then every image used must be a file
     *     in {@code imageDir} (checked here rather than when it is drawn, maybe hours into
     *     training); with {@code skipBadImages} missing ones are left out and counted
     */
    public CocoDataset(
            CocoFile coco,
            Path imageDir,
            boolean filterEmpty,
            int minSize,
            boolean skipBadImages,
            boolean readsImages) {
        this.coco = coco;
        this.imageDir = imageDir;
        this.skipBadImages = skipBadImages;
        this.name = "coco:" + stem(coco.file);

        // categories in sorted id order
        int k = coco.categoryIds.size();
        Integer[] order = new Integer[k];
        for (int i = 0; i < k; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compare(coco.categoryIds.get(a), coco.categoryIds.get(b)));
        Map<Long, Integer> labelOf = new HashMap<>();
        List<Category> cats = new ArrayList<>();
        for (int label = 0; label < k; label++) {
            long id = coco.categoryIds.get(order[label]);
            if (labelOf.put(id, label) != null) {
                throw new UserException(coco.file + ": category id " + id + " appears twice");
            }
            cats.add(new Category(label, id, coco.categoryNames.get(order[label])));
        }
        this.categories = Collections.unmodifiableList(cats);

        Map<Long, Integer> imageIndex = new HashMap<>(coco.imageCount * 2);
        for (int i = 0; i < coco.imageCount; i++) {
            if (imageIndex.put(coco.imageIds[i], i) != null) {
                throw new UserException(coco.file + ": image id " + coco.imageIds[i] + " appears twice");
            }
        }

        // validate references, mark dropped boxes, count annotations per image
        int n = coco.annCount;
        annLabels = new int[n];
        annDropped = new boolean[n];
        int[] annImage = new int[n];
        annStart = new int[coco.imageCount + 1];
        int dropped = 0;
        for (int a = 0; a < n; a++) {
            Integer img = imageIndex.get(coco.annImageIds[a]);
            if (img == null) {
                throw coco.annotationError(a, "refers to unknown image id " + coco.annImageIds[a]);
            }
            Integer label = labelOf.get(coco.annCategoryIds[a]);
            if (label == null) {
                throw coco.annotationError(a, "refers to unknown category id " + coco.annCategoryIds[a]);
            }
            annImage[a] = img;
            annLabels[a] = label;
            annDropped[a] = degenerate(a, coco.widths[img], coco.heights[img]);
            if (annDropped[a]) {
                dropped++;
            }
            annStart[img + 1]++;
        }
        for (int i = 0; i < coco.imageCount; i++) {
            annStart[i + 1] += annStart[i];
        }
        annOrder = new int[n];
        int[] fill = Arrays.copyOf(annStart, coco.imageCount);
        for (int a = 0; a < n; a++) {
            annOrder[fill[annImage[a]]++] = a;
        }
        this.droppedCount = dropped;

        // mmdetection's filter_data: images with no annotation at all, and small images
        int[] kept = new int[coco.imageCount];
        int m = 0;
        for (int i = 0; i < coco.imageCount; i++) {
            boolean empty = annStart[i + 1] == annStart[i];
            if (filterEmpty && empty) {
                continue;
            }
            if (Math.min(coco.widths[i], coco.heights[i]) < minSize) {
                continue;
            }
            kept[m++] = i;
        }
        kept = Arrays.copyOf(kept, m);
        this.filteredCount = coco.imageCount - m;
        this.keptImages = readsImages ? withoutMissingFiles(kept) : kept;
    }

    /** {@code images} whose files exist; the others fail, or with skipBadImages are left out and counted. */
    private int[] withoutMissingFiles(int[] images) {
        if (!Files.isDirectory(imageDir)) {
            throw new UserException("image directory " + imageDir + " of " + coco.file + " does not exist");
        }
        int[] present = new int[images.length];
        int n = 0;
        List<String> missing = new ArrayList<>();
        for (int img : images) {
            if (Files.isRegularFile(imageDir.resolve(coco.fileNames[img]))) { // one stat: COCO train's 118k take < 1 s
                present[n++] = img;
            } else {
                missing.add(coco.fileNames[img]);
            }
        }
        if (missing.isEmpty()) {
            return images;
        }
        String names = firstFew(missing);
        if (!skipBadImages) {
            throw new UserException(coco.file + ": " + missing.size() + " of " + images.length
                    + " images are missing from " + imageDir + ": " + names
                    + " (skipBadImages: true in the dataset config leaves them out)");
        }
        System.err.println("retinanet: " + coco.file + ": skipped " + missing.size() + " of " + images.length
                + " images missing from " + imageDir + " (skipBadImages): " + names);
        return Arrays.copyOf(present, n);
    }

    private static String firstFew(List<String> names) {
        int shown = Math.min(names.size(), 5);
        String first = String.join(", ", names.subList(0, shown));
        return names.size() > shown ? first + " and " + (names.size() - shown) + " more" : first;
    }

    private boolean degenerate(int a, int imageWidth, int imageHeight) {
        double x = coco.annBoxes[4 * a];
        double y = coco.annBoxes[4 * a + 1];
        double w = coco.annBoxes[4 * a + 2];
        double h = coco.annBoxes[4 * a + 3];
        double overlapW = Math.max(0, Math.min(x + w, imageWidth) - Math.max(x, 0));
        double overlapH = Math.max(0, Math.min(y + h, imageHeight) - Math.max(y, 0));
        return overlapW * overlapH == 0 || coco.annAreas[a] <= 0 || w < 1 || h < 1;
    }

    private static String stem(Path file) {
        String s = file.getFileName().toString();
        return s.endsWith(".json") ? s.substring(0, s.length() - 5) : s;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<Category> categories() {
        return categories;
    }

    @Override
    public int size() {
        return keptImages.length;
    }

    private ImageInfo info(int img) {
        String fileName = coco.fileNames[img]; // null only in an evaluation-only dataset
        return new ImageInfo(
                coco.imageIds[img],
                fileName == null ? null : imageDir.resolve(fileName),
                coco.widths[img],
                coco.heights[img]);
    }

    @Override
    public ImageAnnotations annotations(int index) {
        return annotations(index, false);
    }

    /**
     * All annotations of image {@code index} as the file has them, the degenerate boxes included
     * (pycocotools evaluates against those too); corners are still x + w, y + h.
     */
    public ImageAnnotations groundTruth(int index) {
        return annotations(index, true);
    }

    private ImageAnnotations annotations(int index, boolean all) {
        int img = keptImages[index];
        List<GtBox> boxes = new ArrayList<>(annStart[img + 1] - annStart[img]);
        for (int j = annStart[img]; j < annStart[img + 1]; j++) {
            int a = annOrder[j];
            if (annDropped[a] && !all) {
                continue;
            }
            double x = coco.annBoxes[4 * a];
            double y = coco.annBoxes[4 * a + 1];
            boxes.add(new GtBox(
                    coco.annIds[a],
                    x,
                    y,
                    x + coco.annBoxes[4 * a + 2],
                    y + coco.annBoxes[4 * a + 3],
                    annLabels[a],
                    coco.annCrowd[a],
                    coco.annAreas[a]));
        }
        return new ImageAnnotations(info(img), Collections.unmodifiableList(boxes));
    }

    @Override
    public DecodedImage image(int index) throws IOException {
        ImageInfo info = info(keptImages[index]);
        if (info.file() == null) {
            throw new IOException(coco.file + ": image " + info.id() + " has no 'file_name'");
        }
        return ImageDecoder.decode(info.file());
    }

    /** Annotations dropped as degenerate (w or h below 1, area not positive, or outside the image). */
    public int droppedAnnotations() {
        return droppedCount;
    }

    /** Images left out by {@code filterEmpty} / {@code minSize}. */
    public int filteredImages() {
        return filteredCount;
    }

    @Override
    public boolean skipBadImages() {
        return skipBadImages;
    }

    @Override
    public String loadSummary() {
        int missing = coco.imageCount - filteredCount - size(); // skipped by skipBadImages
        return name + ": " + size() + " images (" + filteredCount + " filtered"
                + (missing > 0 ? ", " + missing + " missing skipped" : "") + " of " + coco.imageCount + "), "
                + coco.annCount + " annotations (" + droppedCount + " degenerate dropped), " + categories.size()
                + " categories";
    }
}
