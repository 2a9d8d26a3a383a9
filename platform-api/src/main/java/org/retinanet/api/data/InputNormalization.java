package org.retinanet.api.data;

/**
 * Pixel normalisation expected by a backbone: {@code (pixel - mean) / std} per channel, in RGB or
 * BGR channel order. Pytorch style: RGB, ImageNet mean/std in 0..255 units. Caffe style: BGR,
 * mean only (std 1).
 */
public record InputNormalization(float[] mean, float[] std, boolean bgr) {

    public static InputNormalization pytorch() {
        return new InputNormalization(
                new float[] {123.675f, 116.28f, 103.53f}, new float[] {58.395f, 57.12f, 57.375f}, false);
    }

    public static InputNormalization caffe() {
        return new InputNormalization(new float[] {103.53f, 116.28f, 123.675f}, new float[] {1f, 1f, 1f}, true);
    }
}
