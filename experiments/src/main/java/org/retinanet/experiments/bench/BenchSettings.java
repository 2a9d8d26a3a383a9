package org.retinanet.experiments.bench;

import org.retinanet.experiments.config.Precision;

/**
 * What to measure: the mode, the image size (the valid region; the batch tensor is padded up to
 * a multiple of {@code sizeDivisor} as the standard pipeline does), images per step, timed and
 * warmup steps, for training the learning rate of the SGD steps, and the precision the model
 * computes in (fp16: half-precision weights and activations, norm layers and losses in float32;
 * training with float32 master weights and the config's loss scale, as {@code train} does).
 */
public record BenchSettings(
        Mode mode,
        int height,
        int width,
        int batch,
        int steps,
        int warmup,
        int boxesPerImage,
        double lr,
        long seed,
        int sizeDivisor,
        Precision precision) {

    /** Training step (forward, loss, backward, SGD) or inference (forward, post-processing). */
    public enum Mode {
        TRAIN,
        INFER
    }

    /** RSS is reported after this step and after the last one (memory growth check). */
    public static final int EARLY_STEP = 20;

    public BenchSettings {
        precision = precision == null ? Precision.FP32 : precision;
        require(height >= 16, "--size height", height);
        require(width >= 16, "--size width", width);
        require(batch >= 1, "--batch", batch);
        require(steps >= 1, "--steps", steps);
        require(warmup >= 0, "--warmup", warmup);
        require(boxesPerImage >= 0, "--boxes", boxesPerImage);
        require(sizeDivisor >= 1, "size divisor", sizeDivisor);
        if (!(lr >= 0)) {
            throw new IllegalArgumentException("--lr must be >= 0, got " + lr);
        }
    }

    /** The same settings in another precision. */
    public BenchSettings withPrecision(Precision other) {
        return new BenchSettings(
                mode, height, width, batch, steps, warmup, boxesPerImage, lr, seed, sizeDivisor, other);
    }

    public int paddedHeight() {
        return ceilTo(height, sizeDivisor);
    }

    public int paddedWidth() {
        return ceilTo(width, sizeDivisor);
    }

    /** Parses {@code H} or {@code HxW} into {height, width}. */
    public static int[] parseSize(String size) {
        String s = size.trim().toLowerCase();
        try {
            if (s.contains("x")) {
                String[] p = s.split("x", -1);
                if (p.length != 2) {
                    throw new NumberFormatException();
                }
                return new int[] {Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim())};
            }
            int v = Integer.parseInt(s);
            return new int[] {v, v};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "--size '" + size + "': expected H or HxW (height x width), e.g. 512 or 800x1333");
        }
    }

    private static int ceilTo(int v, int d) {
        return (v + d - 1) / d * d;
    }

    private static void require(boolean ok, String what, int value) {
        if (!ok) {
            throw new IllegalArgumentException(what + " out of range: " + value);
        }
    }
}
