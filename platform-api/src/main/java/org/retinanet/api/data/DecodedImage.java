package org.retinanet.api.data;

/** Decoded pixels: interleaved RGB bytes, row-major, {@code width * height * 3} long. */
public record DecodedImage(int width, int height, byte[] rgb) {

    public DecodedImage {
        if (rgb.length != width * height * 3) {
            throw new IllegalArgumentException("expected " + width * height * 3 + " bytes, got " + rgb.length);
        }
    }
}
