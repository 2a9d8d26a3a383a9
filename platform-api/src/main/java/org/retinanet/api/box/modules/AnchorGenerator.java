package org.retinanet.api.box.modules;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.retinanet.api.box.GridSize;
import org.retinanet.api.box.PriorGenerator;

/**
 * Dense anchors per pyramid level, ordered (y, x, anchor) like the head's outputs; within a
 * location the anchors are ratio-major ({@code a = ratioIndex * scales + scaleIndex}), as in both
 * mmdetection and torchvision.
 *
 * <p>The base anchors are computed in float32 with the same operations, in the same order, as the
 * reference each option reproduces, so that the anchors are bit-identical: mmdetection's
 * {@code stride * w_ratio * scale} with {@code scale = float32(octaveBaseScale * 2^(i/n))}, or
 * torchvision's {@code w_ratio * size} for explicit or truncated integer sizes, optionally rounded
 * half-to-even. Grids are computed once per (level, feature size, stride) on the host and cached.
 */
public final class AnchorGenerator implements PriorGenerator {

    private static final int CACHE_ENTRIES = 64;

    private final AnchorGeneratorConfig config;
    private final List<float[]> baseAnchors;
    private final Map<String, float[]> cache = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, float[]> eldest) {
            return size() > CACHE_ENTRIES;
        }
    };

    public AnchorGenerator(AnchorGeneratorConfig config) {
        this.config = config;
        List<float[]> bases = new ArrayList<>();
        for (int level = 0; level < config.strides().size(); level++) {
            bases.add(computeBaseAnchors(level));
        }
        this.baseAnchors = List.copyOf(bases);
    }

    @Override
    public int numLevels() {
        return config.strides().size();
    }

    @Override
    public int priorsPerLocation() {
        return config.anchorsPerLocation();
    }

    @Override
    public List<Integer> strides() {
        return config.strides();
    }

    /** The zero-centred anchors of one location at {@code level}, (A * 4) x1, y1, x2, y2. */
    public float[] baseAnchors(int level) {
        return baseAnchors.get(level).clone();
    }

    /** Per-scale anchor sizes (square side) of one level, as the reference computes them. */
    double[] sizes(int level) {
        int stride = config.strides().get(level);
        if (config.sizes() != null) {
            return config.sizes().get(level).stream()
                    .mapToDouble(Double::doubleValue)
                    .toArray();
        }
        double[] out = new double[config.scalesPerOctave()];
        for (int i = 0; i < out.length; i++) {
            double octave = Math.pow(2.0, (double) i / config.scalesPerOctave());
            // torchvision: int(x * 2 ** (i/3)) with x = 4 * stride; mmdetection keeps the float scale
            out[i] = config.truncateSizes()
                    ? Math.floor(stride * config.octaveBaseScale() * octave)
                    : (float) (octave * config.octaveBaseScale());
        }
        return out;
    }

    private float[] computeBaseAnchors(int level) {
        int stride = config.strides().get(level);
        double[] sizes = sizes(level);
        boolean explicitSizes = config.sizes() != null || config.truncateSizes();
        List<Double> ratios = config.ratios();
        float center = (float) (config.centerOffset() * stride);
        float[] out = new float[ratios.size() * sizes.length * 4];
        int k = 0;
        for (double ratio : ratios) {
            float hRatio = (float) Math.sqrt((float) ratio);
            float wRatio = 1f / hRatio;
            for (double size : sizes) {
                float w;
                float h;
                if (explicitSizes) {
                    w = wRatio * (float) size;
                    h = hRatio * (float) size;
                } else {
                    w = (float) stride * wRatio * (float) size;
                    h = (float) stride * hRatio * (float) size;
                }
                float[] box = {center - 0.5f * w, center - 0.5f * h, center + 0.5f * w, center + 0.5f * h};
                for (float v : box) {
                    out[k++] = config.roundBaseAnchors() ? (float) Math.rint(v) : v;
                }
            }
        }
        return out;
    }

    /** Stride {height, width} of a level: configured, or padded size // feature size (torchvision). */
    @Override
    public int[] stride(int level, GridSize grid, int paddedHeight, int paddedWidth) {
        if (config.stridesFromImageSize()) {
            return new int[] {paddedHeight / grid.height(), paddedWidth / grid.width()};
        }
        int s = config.strides().get(level);
        return new int[] {s, s};
    }

    /** Anchors of one level as a host array (H * W * A * 4), cached. */
    @Override
    public synchronized float[] levelPriors(int level, GridSize grid, int strideH, int strideW) {
        String key = level + ":" + grid.height() + "x" + grid.width() + ":" + strideH + "x" + strideW;
        return cache.computeIfAbsent(key, k -> computeGrid(level, grid, strideH, strideW));
    }

    private float[] computeGrid(int level, GridSize grid, int strideH, int strideW) {
        float[] base = baseAnchors.get(level);
        int a = base.length / 4;
        float[] out = new float[grid.cells() * a * 4];
        int k = 0;
        for (int y = 0; y < grid.height(); y++) {
            float sy = (float) (y * strideH);
            for (int x = 0; x < grid.width(); x++) {
                float sx = (float) (x * strideW);
                for (int j = 0; j < a; j++) {
                    out[k++] = sx + base[4 * j];
                    out[k++] = sy + base[4 * j + 1];
                    out[k++] = sx + base[4 * j + 2];
                    out[k++] = sy + base[4 * j + 3];
                }
            }
        }
        return out;
    }

    /** All levels' anchors, concatenated, (M, 4) float32 on {@code manager}'s device. */
    @Override
    public NDArray priors(NDManager manager, List<GridSize> grids, int paddedHeight, int paddedWidth) {
        checkLevels(grids);
        int total = 0;
        List<float[]> levels = new ArrayList<>();
        for (int l = 0; l < grids.size(); l++) {
            int[] s = stride(l, grids.get(l), paddedHeight, paddedWidth);
            float[] level = levelPriors(l, grids.get(l), s[0], s[1]);
            levels.add(level);
            total += level.length;
        }
        float[] all = new float[total];
        int offset = 0;
        for (float[] level : levels) {
            System.arraycopy(level, 0, all, offset, level.length);
            offset += level.length;
        }
        return manager.create(all, new Shape(total / 4, 4));
    }

    /**
     * Which anchors lie in cells of the image's own valid region (mmdetection's valid flags): on
     * each level, rows y < min(ceil(padH / strideH), featH) and columns likewise, where padH is the
     * image height rounded up to {@code paddingDivisor}. All true when {@code paddingMask} is off.
     * Returns (M) boolean on {@code manager}'s device.
     */
    @Override
    public NDArray validMask(
            NDManager manager,
            List<GridSize> grids,
            int paddedHeight,
            int paddedWidth,
            int imageHeight,
            int imageWidth) {
        checkLevels(grids);
        int a = priorsPerLocation();
        int total = grids.stream().mapToInt(GridSize::cells).sum() * a;
        boolean[] valid = new boolean[total];
        if (!config.paddingMask()) {
            java.util.Arrays.fill(valid, true);
            return manager.create(valid);
        }
        int div = config.paddingDivisor();
        int padH = ceilDiv(imageHeight, div) * div;
        int padW = ceilDiv(imageWidth, div) * div;
        int k = 0;
        for (int l = 0; l < grids.size(); l++) {
            GridSize g = grids.get(l);
            int[] s = stride(l, g, paddedHeight, paddedWidth);
            int validH = Math.min(ceilDiv(padH, s[0]), g.height());
            int validW = Math.min(ceilDiv(padW, s[1]), g.width());
            for (int y = 0; y < g.height(); y++) {
                for (int x = 0; x < g.width(); x++) {
                    boolean inside = y < validH && x < validW;
                    for (int j = 0; j < a; j++) {
                        valid[k++] = inside;
                    }
                }
            }
        }
        return manager.create(valid);
    }

    private void checkLevels(List<GridSize> grids) {
        if (grids.size() != numLevels()) {
            throw new IllegalArgumentException("head.anchors.strides has " + numLevels() + " entries but the head got "
                    + grids.size() + " feature levels");
        }
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
