package org.retinanet.datasets.shapes;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.retinanet.api.data.Category;
import org.retinanet.api.data.DecodedImage;
import org.retinanet.api.data.DetectionDataset;
import org.retinanet.api.data.GtBox;
import org.retinanet.api.data.ImageAnnotations;
import org.retinanet.api.data.ImageInfo;
import org.retinanet.datasets.Seeds;
import org.retinanet.datasets.coco.CocoWriter;

/**
 * Synthetic shapes on a noisy, cluttered background. Image i is a pure function of (seed, i, config):
 * nothing is stored and any thread may generate any image. The layout (classes, boxes, occlusion)
 * comes from one random stream, the pixels (background, noise, clutter, colours) from another, so
 * annotations are cheap to produce without rendering.
 *
 * <p>Shapes are drawn in order, later ones on top. A shape's box is its full geometric box, its
 * area the number of its pixels still visible; a shape with less than {@code minVisible} of its
 * pixels visible is an ignore region (neither object nor background), a fully hidden one has no
 * box. Boxes have integer corners; ImageInfo ids are 1..numImages.
 */
public final class ShapesDataset implements DetectionDataset {

    private final ShapesDatasetConfig config;
    private final long seed;
    private final List<ShapeKind> kinds;
    private final List<Category> categories;

    public ShapesDataset(ShapesDatasetConfig config, long seed) {
        this.config = config;
        this.seed = seed;
        List<ShapeKind> k = new ArrayList<>();
        List<Category> cats = new ArrayList<>();
        for (String name : config.classes()) {
            cats.add(new Category(k.size(), k.size() + 1, name));
            k.add(ShapeKind.of(name));
        }
        this.kinds = List.copyOf(k);
        this.categories = Collections.unmodifiableList(cats);
    }

    /** One placed shape: its class index, box and colour. */
    record Shape(int label, int x, int y, int w, int h, int rgb) {}

    /** The shapes of an image and, per shape, its visible pixel count. */
    record Layout(List<Shape> shapes, int[] visible, int[] total) {}

    Layout layout(int index) {
        SplittableRandom r = new SplittableRandom(Seeds.mix(seed, index, 0));
        int width = config.width();
        int height = config.height();
        int count = config.minObjects() + r.nextInt(config.maxObjects() - config.minObjects() + 1);
        int maxSide = Math.min(config.maxObjectSize(), Math.min(width, height));
        int minSide = Math.min(config.minObjectSize(), maxSide);
        List<Shape> shapes = new ArrayList<>(count);
        for (int s = 0; s < count; s++) {
            int label = r.nextInt(kinds.size());
            // log-uniform side, then an aspect jitter of up to 1.5x either way
            double side = minSide * Math.exp(r.nextDouble() * Math.log((double) maxSide / minSide));
            double aspect = Math.exp((r.nextDouble() - 0.5) * 0.8);
            int w = clamp((int) Math.round(side * aspect), minSide, maxSide);
            int h = clamp((int) Math.round(side / aspect), minSide, maxSide);
            int x = r.nextInt(width - w + 1);
            int y = r.nextInt(height - h + 1);
            float hue = kinds.get(label).hue + (float) ((r.nextDouble() - 0.5) * 40);
            float sat = 0.65f + 0.35f * (float) r.nextDouble();
            float val = 0.7f + 0.3f * (float) r.nextDouble();
            shapes.add(
                    new Shape(label, x, y, w, h, java.awt.Color.HSBtoRGB(((hue % 360) + 360) % 360 / 360f, sat, val)));
        }
        int[] owner = owners(shapes, width, height);
        int[] visible = new int[count];
        int[] total = new int[count];
        for (int s = 0; s < count; s++) {
            Shape shape = shapes.get(s);
            for (int py = shape.y; py < shape.y + shape.h; py++) {
                for (int px = shape.x; px < shape.x + shape.w; px++) {
                    if (inside(shape, px, py)) {
                        total[s]++;
                        if (owner[py * width + px] == s) {
                            visible[s]++;
                        }
                    }
                }
            }
        }
        return new Layout(shapes, visible, total);
    }

    /** For every pixel, the index of the topmost shape covering it, or -1. */
    private int[] owners(List<Shape> shapes, int width, int height) {
        int[] owner = new int[width * height];
        java.util.Arrays.fill(owner, -1);
        for (int s = 0; s < shapes.size(); s++) {
            Shape shape = shapes.get(s);
            for (int py = shape.y; py < shape.y + shape.h; py++) {
                for (int px = shape.x; px < shape.x + shape.w; px++) {
                    if (inside(shape, px, py)) {
                        owner[py * width + px] = s;
                    }
                }
            }
        }
        return owner;
    }

    private boolean inside(Shape s, int px, int py) {
        return kinds.get(s.label).contains((px + 0.5 - s.x) / s.w, (py + 0.5 - s.y) / s.h);
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    @Override
    public String name() {
        return "shapes:seed" + seed;
    }

    @Override
    public List<Category> categories() {
        return categories;
    }

    @Override
    public int size() {
        return config.numImages();
    }

    private void checkIndex(int index) {
        if (index < 0 || index >= size()) {
            throw new IndexOutOfBoundsException("shapes image " + index + " of " + size());
        }
    }

    @Override
    public ImageAnnotations annotations(int index) {
        checkIndex(index);
        Layout layout = layout(index);
        List<GtBox> boxes = new ArrayList<>();
        for (int s = 0; s < layout.shapes.size(); s++) {
            if (layout.visible[s] == 0) {
                continue;
            }
            Shape shape = layout.shapes.get(s);
            boolean ignore = layout.visible[s] < config.minVisible() * layout.total[s];
            long id = (long) index * 1000 + s + 1;
            boxes.add(new GtBox(
                    id,
                    shape.x,
                    shape.y,
                    shape.x + shape.w,
                    shape.y + shape.h,
                    shape.label,
                    ignore,
                    layout.visible[s]));
        }
        return new ImageAnnotations(
                new ImageInfo(index + 1L, null, config.width(), config.height()), Collections.unmodifiableList(boxes));
    }

    @Override
    public DecodedImage image(int index) {
        checkIndex(index);
        Layout layout = layout(index);
        int width = config.width();
        int height = config.height();
        SplittableRandom r = new SplittableRandom(Seeds.mix(seed, index, 1));
        // background: a dim, low-saturation vertical gradient
        float[] top = hsv(r.nextDouble() * 360, 0.25 * r.nextDouble(), 0.15 + 0.35 * r.nextDouble());
        float[] bottom = hsv(r.nextDouble() * 360, 0.25 * r.nextDouble(), 0.15 + 0.35 * r.nextDouble());
        int[] canvas = new int[width * height * 3];
        for (int y = 0; y < height; y++) {
            float t = height == 1 ? 0 : (float) y / (height - 1);
            for (int x = 0; x < width; x++) {
                for (int c = 0; c < 3; c++) {
                    canvas[(y * width + x) * 3 + c] = Math.round(255 * (top[c] * (1 - t) + bottom[c] * t));
                }
            }
        }
        // clutter: thin gray lines, not objects
        for (int l = 0; l < config.clutterLines(); l++) {
            int gray = 60 + r.nextInt(120);
            line(canvas, width, height, r.nextInt(width), r.nextInt(height), r.nextInt(width), r.nextInt(height), gray);
        }
        List<Shape> shapes = layout.shapes;
        for (Shape shape : shapes) {
            int cr = (shape.rgb >> 16) & 0xFF;
            int cg = (shape.rgb >> 8) & 0xFF;
            int cb = shape.rgb & 0xFF;
            for (int py = shape.y; py < shape.y + shape.h; py++) {
                for (int px = shape.x; px < shape.x + shape.w; px++) {
                    if (inside(shape, px, py)) {
                        int p = (py * width + px) * 3;
                        canvas[p] = cr;
                        canvas[p + 1] = cg;
                        canvas[p + 2] = cb;
                    }
                }
            }
        }
        byte[] rgb = new byte[canvas.length];
        int noise = config.noise();
        for (int i = 0; i < canvas.length; i++) {
            int v = canvas[i] + (noise == 0 ? 0 : r.nextInt(2 * noise + 1) - noise);
            rgb[i] = (byte) Math.max(0, Math.min(255, v));
        }
        return new DecodedImage(width, height, rgb);
    }

    private static float[] hsv(double hue, double sat, double val) {
        int rgb = java.awt.Color.HSBtoRGB((float) (hue / 360), (float) sat, (float) val);
        return new float[] {((rgb >> 16) & 0xFF) / 255f, ((rgb >> 8) & 0xFF) / 255f, (rgb & 0xFF) / 255f};
    }

    /** A 1-pixel line (Bresenham). */
    private static void line(int[] canvas, int width, int height, int x0, int y0, int x1, int y1, int gray) {
        int dx = Math.abs(x1 - x0);
        int dy = -Math.abs(y1 - y0);
        int sx = x0 < x1 ? 1 : -1;
        int sy = y0 < y1 ? 1 : -1;
        int err = dx + dy;
        while (true) {
            if (x0 >= 0 && x0 < width && y0 >= 0 && y0 < height) {
                int p = (y0 * width + x0) * 3;
                canvas[p] = gray;
                canvas[p + 1] = gray;
                canvas[p + 2] = gray;
            }
            if (x0 == x1 && y0 == y1) {
                return;
            }
            int e2 = 2 * err;
            if (e2 >= dy) {
                err += dy;
                x0 += sx;
            }
            if (e2 <= dx) {
                err += dx;
                y0 += sy;
            }
        }
    }

    @Override
    public String loadSummary() {
        return name() + ": " + size() + " synthetic images of " + config.width() + "x" + config.height() + ", "
                + categories.size() + " classes";
    }

    /** Writes this set as COCO JSON + PNG under {@code dir} (see {@link CocoWriter}); returns the JSON file. */
    public java.nio.file.Path writeCoco(java.nio.file.Path dir) throws java.io.IOException {
        return CocoWriter.write(this, dir);
    }

    public ShapesDatasetConfig config() {
        return config;
    }
}
