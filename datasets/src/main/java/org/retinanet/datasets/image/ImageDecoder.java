package org.retinanet.datasets.image;

import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.retinanet.api.data.DecodedImage;

/**
 * Decodes JPEG and PNG files to RGB the way the reference pipelines see them: grayscale is
 * replicated to three channels, alpha is dropped (PIL's {@code convert('RGB')}), palettes are
 * looked up, 16-bit samples keep their high byte, and the JPEG EXIF orientation is applied (as
 * PIL's {@code exif_transpose} and OpenCV's {@code imread(IMREAD_COLOR)}, which mmdetection's
 * LoadImageFromFile uses; torchvision's reference scripts open with PIL and do not rotate).
 * Missing, truncated and corrupt files raise an {@link IOException} that names the file.
 */
public final class ImageDecoder {

    static {
        ImageIO.setUseCache(false); // no temp files for streams
    }

    private ImageDecoder() {}

    public static DecodedImage decode(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IOException("missing image file " + file, e);
        } catch (IOException e) {
            throw new IOException("cannot read image file " + file + ": " + e.getMessage(), e);
        }
        return decode(bytes, file.toString());
    }

    /** Decodes {@code bytes}; {@code name} is used in error messages. */
    public static DecodedImage decode(byte[] bytes, String name) throws IOException {
        BufferedImage image = read(bytes, name);
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] rgb = toRgb(image);
        int orientation = ExifOrientation.read(bytes);
        if (orientation > 1) {
            rgb = ExifOrientation.apply(orientation, w, h, rgb);
            if (ExifOrientation.swapsAxes(orientation)) {
                return new DecodedImage(h, w, rgb);
            }
        }
        return new DecodedImage(w, h, rgb);
    }

    /** Width and height after EXIF orientation, from the file's header (no pixel decoding). */
    public static int[] size(Path file) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(1 << 16);
        } catch (NoSuchFileException e) {
            throw new IOException("missing image file " + file, e);
        }
        try (ImageInputStream stream = ImageIO.createImageInputStream(file.toFile())) {
            ImageReader reader = readerFor(stream, file.toString());
            try {
                reader.setInput(stream, true, true);
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                return ExifOrientation.swapsAxes(ExifOrientation.read(head)) ? new int[] {h, w} : new int[] {w, h};
            } catch (IOException | RuntimeException e) {
                throw new IOException("corrupt image file " + file + ": " + e.getMessage(), e);
            } finally {
                reader.dispose();
            }
        }
    }

    private static BufferedImage read(byte[] bytes, String name) throws IOException {
        try (ImageInputStream stream = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            ImageReader reader = readerFor(stream, name);
            List<String> warnings = new ArrayList<>();
            reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
            try {
                reader.setInput(stream, true, true);
                BufferedImage image = reader.read(0);
                // libjpeg reports a truncated file only as a warning and fills the rest with gray
                for (String w : warnings) {
                    if (w.contains("Premature end")) {
                        throw new IOException("truncated image file " + name + " (" + w + ")");
                    }
                }
                return image;
            } catch (IOException e) {
                if (e.getMessage() != null && e.getMessage().contains(name)) {
                    throw e;
                }
                throw new IOException("truncated or corrupt image file " + name + ": " + e.getMessage(), e);
            } catch (RuntimeException e) {
                throw new IOException("corrupt image file " + name + ": " + e, e);
            } finally {
                reader.dispose();
            }
        }
    }

    private static ImageReader readerFor(ImageInputStream stream, String name) throws IOException {
        if (stream == null) {
            throw new IOException("cannot open image file " + name);
        }
        Iterator<ImageReader> readers = ImageIO.getImageReaders(stream);
        if (!readers.hasNext()) {
            throw new IOException("not a JPEG or PNG image: " + name);
        }
        return readers.next();
    }

    /** Interleaved RGB bytes of any decoded image, without colour-space conversion of gray. */
    static byte[] toRgb(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] out = new byte[w * h * 3];
        Raster raster = image.getRaster();
        int bands = raster.getNumBands();
        int transferType = raster.getTransferType();
        boolean component = image.getColorModel() instanceof ComponentColorModel;
        boolean plain = transferType == DataBuffer.TYPE_BYTE || transferType == DataBuffer.TYPE_USHORT;
        if (component && plain && bands <= 4) {
            // raw samples: getRGB would gamma-convert linear gray, which PIL never does
            int shift = transferType == DataBuffer.TYPE_USHORT ? 8 : 0;
            int[] row = new int[w * bands];
            for (int y = 0; y < h; y++) {
                raster.getPixels(0, y, w, 1, row);
                for (int x = 0; x < w; x++) {
                    int s = x * bands;
                    int d = (y * w + x) * 3;
                    if (bands <= 2) { // gray or gray + alpha
                        byte g = (byte) (row[s] >> shift);
                        out[d] = g;
                        out[d + 1] = g;
                        out[d + 2] = g;
                    } else { // RGB or RGBA: alpha dropped
                        out[d] = (byte) (row[s] >> shift);
                        out[d + 1] = (byte) (row[s + 1] >> shift);
                        out[d + 2] = (byte) (row[s + 2] >> shift);
                    }
                }
            }
            return out;
        }
        // palettes and packed pixels: the colour model's sRGB lookup
        int[] argb = new int[w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, argb, 0, w);
            for (int x = 0; x < w; x++) {
                int p = argb[x];
                int d = (y * w + x) * 3;
                out[d] = (byte) (p >> 16);
                out[d + 1] = (byte) (p >> 8);
                out[d + 2] = (byte) p;
            }
        }
        return out;
    }
}
