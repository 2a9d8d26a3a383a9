package org.retinanet.datasets;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;

/** Real JPEG / PNG files for tests, written with ImageIO. */
public final class TestImages {

    private TestImages() {}

    /** A w x h RGB image whose left half is red and right half blue. */
    public static BufferedImage halves(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, x < w / 2 ? 0xFF0000 : 0x0000FF);
            }
        }
        return img;
    }

    public static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(image, format, out)) {
            throw new IOException("no writer for " + format);
        }
        return out.toByteArray();
    }

    public static Path write(Path file, BufferedImage image, String format) throws IOException {
        Files.write(file, encode(image, format));
        return file;
    }

    /** A w x h solid-colour JPEG (or PNG) file. */
    public static Path solid(Path file, int w, int h, int rgb) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        return write(file, img, file.toString().endsWith(".png") ? "png" : "jpg");
    }

    /** Inserts an APP1 Exif segment holding only the orientation tag right after the JPEG's SOI. */
    public static byte[] withExifOrientation(byte[] jpeg, int orientation, boolean littleEndian) {
        byte[] tiff = new byte[8 + 2 + 12 + 4];
        if (littleEndian) {
            tiff[0] = 'I';
            tiff[1] = 'I';
        } else {
            tiff[0] = 'M';
            tiff[1] = 'M';
        }
        put16(tiff, 2, 42, littleEndian);
        put32(tiff, 4, 8, littleEndian);
        put16(tiff, 8, 1, littleEndian); // one IFD entry
        put16(tiff, 10, 0x0112, littleEndian);
        put16(tiff, 12, 3, littleEndian); // SHORT
        put32(tiff, 14, 1, littleEndian);
        put16(tiff, 18, orientation, littleEndian); // value, left-justified in the 4 bytes
        byte[] exif = new byte[6 + tiff.length];
        System.arraycopy("Exif".getBytes(), 0, exif, 0, 4);
        System.arraycopy(tiff, 0, exif, 6, tiff.length);
        int length = exif.length + 2;
        byte[] out = new byte[jpeg.length + 4 + exif.length];
        out[0] = (byte) 0xFF;
        out[1] = (byte) 0xD8;
        out[2] = (byte) 0xFF;
        out[3] = (byte) 0xE1;
        out[4] = (byte) (length >> 8);
        out[5] = (byte) length;
        System.arraycopy(exif, 0, out, 6, exif.length);
        System.arraycopy(jpeg, 2, out, 6 + exif.length, jpeg.length - 2);
        return out;
    }

    public static byte[] truncated(byte[] bytes, double keep) {
        return Arrays.copyOf(bytes, (int) (bytes.length * keep));
    }

    private static void put16(byte[] b, int p, int v, boolean little) {
        if (little) {
            b[p] = (byte) v;
            b[p + 1] = (byte) (v >> 8);
        } else {
            b[p] = (byte) (v >> 8);
            b[p + 1] = (byte) v;
        }
    }

    private static void put32(byte[] b, int p, int v, boolean little) {
        if (little) {
            put16(b, p, v & 0xFFFF, true);
            put16(b, p + 2, v >>> 16, true);
        } else {
            put16(b, p, v >>> 16, false);
            put16(b, p + 2, v & 0xFFFF, false);
        }
    }
}
