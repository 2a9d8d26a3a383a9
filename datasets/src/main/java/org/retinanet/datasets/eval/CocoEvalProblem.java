package org.retinanet.datasets.eval;

import java.util.Arrays;

/**
 * A bbox evaluation problem in COCO's own terms and in primitive arrays: image ids, category ids,
 * ground truth and detections as (x, y, w, h) exactly as a COCO file holds them, grouped into
 * (category, image) buckets. Within a bucket the file order is kept, because COCOeval's stable
 * sorts and its tie rules depend on it.
 *
 * <p>Build with {@link #builder}: add images and categories, then ground truth and detections in
 * file order; {@link Builder#build()} groups them with a counting sort (stable).
 */
public final class CocoEvalProblem {

    final long[] imageIds; // sorted ascending, as COCOeval's params.imgIds
    final long[] categoryIds; // sorted ascending, as params.catIds
    final String[] categoryNames;

    // ground truth, bucketed: bucket b = category * images + image; gt of b is [gtStart[b], gtStart[b+1])
    final int[] gtStart;
    final double[] gtX, gtY, gtW, gtH, gtArea;
    final boolean[] gtCrowd;
    final long[] gtId;

    // detections, bucketed the same way, file order within a bucket
    final int[] dtStart;
    final double[] dtX, dtY, dtW, dtH, dtScore;

    private CocoEvalProblem(Builder b) {
        int images = b.imageIds.length;
        int cats = b.categoryIds.length;
        int buckets = images * cats;
        imageIds = b.imageIds;
        categoryIds = b.categoryIds;
        categoryNames = b.categoryNames;

        int[] gtBucket = bucketsOf(b.gtImage, b.gtCat, b.gtCount, images);
        gtStart = starts(gtBucket, buckets);
        int[] gtPos = positions(gtBucket, gtStart);
        gtX = permute(b.gtX, gtPos, b.gtCount);
        gtY = permute(b.gtY, gtPos, b.gtCount);
        gtW = permute(b.gtW, gtPos, b.gtCount);
        gtH = permute(b.gtH, gtPos, b.gtCount);
        gtArea = permute(b.gtArea, gtPos, b.gtCount);
        gtCrowd = new boolean[b.gtCount];
        gtId = new long[b.gtCount];
        for (int i = 0; i < b.gtCount; i++) {
            gtCrowd[gtPos[i]] = b.gtCrowd[i];
            gtId[gtPos[i]] = b.gtId[i];
        }

        int[] dtBucket = bucketsOf(b.dtImage, b.dtCat, b.dtCount, images);
        dtStart = starts(dtBucket, buckets);
        int[] dtPos = positions(dtBucket, dtStart);
        dtX = permute(b.dtX, dtPos, b.dtCount);
        dtY = permute(b.dtY, dtPos, b.dtCount);
        dtW = permute(b.dtW, dtPos, b.dtCount);
        dtH = permute(b.dtH, dtPos, b.dtCount);
        dtScore = permute(b.dtScore, dtPos, b.dtCount);
    }

    public static Builder builder() {
        return new Builder();
    }

    public int imageCount() {
        return imageIds.length;
    }

    public int categoryCount() {
        return categoryIds.length;
    }

    public int gtCount() {
        return gtX.length;
    }

    public int detectionCount() {
        return dtX.length;
    }

    private static int[] bucketsOf(int[] image, int[] cat, int n, int images) {
        int[] bucket = new int[n];
        for (int i = 0; i < n; i++) {
            bucket[i] = cat[i] * images + image[i];
        }
        return bucket;
    }

    private static int[] starts(int[] bucket, int buckets) {
        int[] start = new int[buckets + 1];
        for (int b : bucket) {
            start[b + 1]++;
        }
        for (int i = 0; i < buckets; i++) {
            start[i + 1] += start[i];
        }
        return start;
    }

    /** Stable counting sort: the new position of each element. */
    private static int[] positions(int[] bucket, int[] start) {
        int[] next = Arrays.copyOf(start, start.length - 1);
        int[] pos = new int[bucket.length];
        for (int i = 0; i < bucket.length; i++) {
            pos[i] = next[bucket[i]]++;
        }
        return pos;
    }

    private static double[] permute(double[] values, int[] pos, int n) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[pos[i]] = values[i];
        }
        return out;
    }

    /** Collects a problem; ids are mapped to sorted indices once images and categories are known. */
    public static final class Builder {
        private long[] imageIds;
        private long[] categoryIds;
        private String[] categoryNames;
        private java.util.HashMap<Long, Integer> imageIndex;
        private java.util.HashMap<Long, Integer> categoryIndex;

        private int gtCount;
        private int[] gtImage = new int[16], gtCat = new int[16];
        private double[] gtX = new double[16], gtY = new double[16], gtW = new double[16], gtH = new double[16];
        private double[] gtArea = new double[16];
        private boolean[] gtCrowd = new boolean[16];
        private long[] gtId = new long[16];

        private int dtCount;
        private int[] dtImage = new int[16], dtCat = new int[16];
        private double[] dtX = new double[16], dtY = new double[16], dtW = new double[16], dtH = new double[16];
        private double[] dtScore = new double[16];

        private Builder() {}

        /** The evaluated images (COCOeval: all ground-truth image ids; duplicates collapse). */
        public Builder images(long[] ids) {
            imageIds = Arrays.stream(ids).distinct().sorted().toArray();
            imageIndex = new java.util.HashMap<>(imageIds.length * 2);
            for (int i = 0; i < imageIds.length; i++) {
                imageIndex.put(imageIds[i], i);
            }
            return this;
        }

        /** The evaluated categories (COCOeval: all ground-truth category ids, with or without boxes). */
        public Builder categories(long[] ids, String[] names) {
            Integer[] order = new Integer[ids.length];
            for (int i = 0; i < ids.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Long.compare(ids[a], ids[b]));
            categoryIds = new long[ids.length];
            categoryNames = new String[ids.length];
            categoryIndex = new java.util.HashMap<>(ids.length * 2);
            for (int i = 0; i < ids.length; i++) {
                if (categoryIndex.containsKey(ids[order[i]])) {
                    throw new IllegalArgumentException("category id " + ids[order[i]] + " appears twice");
                }
                categoryIds[i] = ids[order[i]];
                categoryNames[i] = names[order[i]];
                categoryIndex.put(categoryIds[i], i);
            }
            return this;
        }

        /** A ground-truth box: COCO (x, y, w, h), the annotation's {@code area}, {@code iscrowd}, {@code id}. */
        public Builder addGt(
                long imageId,
                long categoryId,
                double x,
                double y,
                double w,
                double h,
                double area,
                boolean crowd,
                long id) {
            int image = imageIndexOf(imageId, "annotation " + id);
            int cat = categoryIndexOf(categoryId, "annotation " + id);
            if (Double.isNaN(x + y + w + h + area)) {
                throw new IllegalArgumentException(
                        "annotation " + id + " (image " + imageId + "): NaN in bbox or area");
            }
            if (gtCount == gtX.length) {
                int n = gtCount * 2;
                gtImage = Arrays.copyOf(gtImage, n);
                gtCat = Arrays.copyOf(gtCat, n);
                gtX = Arrays.copyOf(gtX, n);
                gtY = Arrays.copyOf(gtY, n);
                gtW = Arrays.copyOf(gtW, n);
                gtH = Arrays.copyOf(gtH, n);
                gtArea = Arrays.copyOf(gtArea, n);
                gtCrowd = Arrays.copyOf(gtCrowd, n);
                gtId = Arrays.copyOf(gtId, n);
            }
            gtImage[gtCount] = image;
            gtCat[gtCount] = cat;
            gtX[gtCount] = x;
            gtY[gtCount] = y;
            gtW[gtCount] = w;
            gtH[gtCount] = h;
            gtArea[gtCount] = area;
            gtCrowd[gtCount] = crowd;
            gtId[gtCount] = id;
            gtCount++;
            return this;
        }

        /** A detection in results-file order: COCO (x, y, w, h) and score. */
        public Builder addDetection(
                long imageId, long categoryId, double x, double y, double w, double h, double score) {
            int image = imageIndexOf(imageId, null);
            int cat = categoryIndexOf(categoryId, null);
            if (Double.isNaN(score)) {
                throw new IllegalArgumentException("detection " + dtCount + " (image " + imageId + "): score is NaN");
            }
            if (dtCount == dtX.length) {
                int n = dtCount * 2;
                dtImage = Arrays.copyOf(dtImage, n);
                dtCat = Arrays.copyOf(dtCat, n);
                dtX = Arrays.copyOf(dtX, n);
                dtY = Arrays.copyOf(dtY, n);
                dtW = Arrays.copyOf(dtW, n);
                dtH = Arrays.copyOf(dtH, n);
                dtScore = Arrays.copyOf(dtScore, n);
            }
            dtImage[dtCount] = image;
            dtCat[dtCount] = cat;
            dtX[dtCount] = x;
            dtY[dtCount] = y;
            dtW[dtCount] = w;
            dtH[dtCount] = h;
            dtScore[dtCount] = score;
            dtCount++;
            return this;
        }

        /** {@code what} names the box for messages; null means the detection being added. */
        private int imageIndexOf(long imageId, String what) {
            if (imageIndex == null) {
                throw new IllegalStateException("images(...) must be set before boxes are added");
            }
            Integer i = imageIndex.get(imageId);
            if (i == null) {
                what = what != null ? what : "detection " + dtCount;
                // pycocotools: "Results do not correspond to current coco set"
                throw new IllegalArgumentException(what + ": image id " + imageId + " is not in the ground truth");
            }
            return i;
        }

        private int categoryIndexOf(long categoryId, String what) {
            if (categoryIndex == null) {
                throw new IllegalStateException("categories(...) must be set before boxes are added");
            }
            Integer c = categoryIndex.get(categoryId);
            if (c == null) {
                what = what != null ? what : "detection " + dtCount;
                throw new IllegalArgumentException(
                        what + ": category id " + categoryId + " is not a category of the ground truth");
            }
            return c;
        }

        public CocoEvalProblem build() {
            if (imageIds == null || categoryIds == null) {
                throw new IllegalStateException("images(...) and categories(...) must be set");
            }
            return new CocoEvalProblem(this);
        }
    }
}
