package org.retinanet.datasets.image;

/**
 * The EXIF orientation tag (0x0112) of a JPEG, read from its APP1 segment, and the pixel mapping
 * that PIL's {@code ImageOps.exif_transpose} applies for it. ImageIO ignores the tag, so without
 * this a phone photo taken upright would be decoded on its side.
 */
public final class ExifOrientation {

    private ExifOrientation() {}

    /** The orientation (1..8) of a JPEG given its first bytes; 1 when absent, unreadable or not a JPEG. */
    public static int read(byte[] jpeg) {
        if (jpeg.length < 4 || (jpeg[0] & 0xFF) != 0xFF || (jpeg[1] & 0xFF) != 0xD8) {
            return 1;
        }
        int pos = 2;
        while (pos + 4 <= jpeg.length) {
            if ((jpeg[pos] & 0xFF) != 0xFF) {
                return 1;
            }
            int marker = jpeg[pos + 1] & 0xFF;
            if (marker == 0xFF) { // fill byte
                pos++;
                continue;
            }
            if (marker == 0xDA || marker == 0xD9) { // start of scan / end: no more metadata
                return 1;
            }
            int length = ((jpeg[pos + 2] & 0xFF) << 8) | (jpeg[pos + 3] & 0xFF);
            int start = pos + 4;
            int end = Math.min(jpeg.length, pos + 2 + length);
            if (marker == 0xE1 && end - start >= 14 && isExifHeader(jpeg, start)) {
                int o = fromTiff(jpeg, start + 6, end);
                if (o != 0) {
                    return o;
                }
            }
            pos += 2 + length;
        }
        return 1;
    }

    private static boolean isExifHeader(byte[] b, int p) {
        return b[p] == 'E' && b[p + 1] == 'x' && b[p + 2] == 'i' && b[p + 3] == 'f' && b[p + 4] == 0 && b[p + 5] == 0;
    }

    /** Orientation from a TIFF structure at {@code tiff}; 0 when the tag is not in IFD0. */
    private static int fromTiff(byte[] b, int tiff, int end) {
        boolean little;
        if (b[tiff] == 'I' && b[tiff + 1] == 'I') {
            little = true;
        } else if (b[tiff] == 'M' && b[tiff + 1] == 'M') {
            little = false;
        } else {
            return 0;
        }
        long ifd = u32(b, tiff + 4, little);
        int p = (int) (tiff + ifd);
        if (ifd < 8 || p + 2 > end) {
            return 0;
        }
        int entries = u16(b, p, little);
        for (int i = 0; i < entries; i++) {
            int e = p + 2 + 12 * i;
            if (e + 12 > end) {
                return 0;
            }
            if (u16(b, e, little) == 0x0112) {
                int type = u16(b, e + 2, little);
                int value = type == 3 ? u16(b, e + 8, little) : (int) u32(b, e + 8, little);
                return value >= 1 && value <= 8 ? value : 0;
            }
        }
        return 0;
    }

    private static int u16(byte[] b, int p, boolean little) {
        int a = b[p] & 0xFF;
        int c = b[p + 1] & 0xFF;
        return little ? (c << 8) | a : (a << 8) | c;
    }

    private static long u32(byte[] b, int p, boolean little) {
        long hi = u16(b, little ? p + 2 : p, little);
        long lo = u16(b, little ? p : p + 2, little);
        return (hi << 16) | lo;
    }

    /** Whether the orientation swaps width and height (the transposing ones, 5..8). */
    public static boolean swapsAxes(int orientation) {
        return orientation >= 5 && orientation <= 8;
    }

    /**
     * Applies {@code orientation} to interleaved RGB pixels like PIL's exif_transpose:
     * 2 mirror, 3 rotate 180, 4 flip vertically, 5 transpose, 6 rotate 90 clockwise,
     * 7 transverse, 8 rotate 90 counter-clockwise.
     */
    public static byte[] apply(int orientation, int w, int h, byte[] rgb) {
        if (orientation <= 1 || orientation > 8) {
            return rgb;
        }
        int ow = swapsAxes(orientation) ? h : w;
        int oh = swapsAxes(orientation) ? w : h;
        byte[] out = new byte[rgb.length];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                int sx;
                int sy;
                switch (orientation) {
                    case 2 -> {
                        sx = w - 1 - x;
                        sy = y;
                    }
                    case 3 -> {
                        sx = w - 1 - x;
                        sy = h - 1 - y;
                    }
                    case 4 -> {
                        sx = x;
                        sy = h - 1 - y;
                    }
                    case 5 -> {
                        sx = y;
                        sy = x;
                    }
                    case 6 -> {
                        sx = y;
                        sy = h - 1 - x;
                    }
                    case 7 -> {
                        sx = w - 1 - y;
                        sy = h - 1 - x;
                    }
                    default -> {
                        sx = w - 1 - y;
                        sy = x;
                    } // 8
                }
                int s = (sy * w + sx) * 3;
                int d = (y * ow + x) * 3;
                out[d] = rgb[s];
                out[d + 1] = rgb[s + 1];
                out[d + 2] = rgb[s + 2];
            }
        }
        return out;
    }
}
