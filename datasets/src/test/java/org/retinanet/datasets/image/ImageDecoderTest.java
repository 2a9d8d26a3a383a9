package org.retinanet.datasets.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retinanet.api.data.DecodedImage;
import org.retinanet.datasets.TestImages;

class ImageDecoderTest {

    @TempDir
    Path dir;

    private static int[] rgbAt(DecodedImage img, int x, int y) {
        int p = (y * img.width() + x) * 3;
        return new int[] {img.rgb()[p] & 0xFF, img.rgb()[p + 1] & 0xFF, img.rgb()[p + 2] & 0xFF};
    }

    @Test
    void pngRgbIsExact() throws IOException {
        BufferedImage src = new BufferedImage(5, 3, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 5; x++) {
                src.setRGB(x, y, (x * 50) << 16 | (y * 80) << 8 | (x * y * 7));
            }
        }
        DecodedImage img = ImageDecoder.decode(TestImages.write(dir.resolve("a.png"), src, "png"));
        assertThat(img.width()).isEqualTo(5);
        assertThat(img.height()).isEqualTo(3);
        assertThat(rgbAt(img, 4, 2)).containsExactly(200, 160, 56);
        assertThat(rgbAt(img, 1, 0)).containsExactly(50, 0, 0);
    }

    @Test
    void grayscaleIsReplicatedWithoutGammaConversion() throws IOException {
        BufferedImage gray = new BufferedImage(4, 2, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setSample(1, 1, 0, 100);
        gray.getRaster().setSample(3, 0, 0, 17);
        for (String format : new String[] {"png", "jpg"}) {
            DecodedImage img = ImageDecoder.decode(TestImages.write(dir.resolve("g." + format), gray, format));
            int[] p = rgbAt(img, 1, 1);
            assertThat(p[0]).isEqualTo(p[1]).isEqualTo(p[2]);
            if (format.equals("png")) {
                assertThat(p[0]).isEqualTo(100); // getRGB would give ~168 (linear gray to sRGB)
                assertThat(rgbAt(img, 3, 0)).containsExactly(17, 17, 17);
            }
        }
    }

    @Test
    void rgbaDropsAlphaLikePilConvertRgb() throws IOException {
        BufferedImage rgba = new BufferedImage(2, 2, BufferedImage.TYPE_INT_ARGB);
        rgba.setRGB(0, 0, 0x00123456); // fully transparent: colour kept, not composited
        rgba.setRGB(1, 1, 0x80FF8040);
        DecodedImage img = ImageDecoder.decode(TestImages.write(dir.resolve("a.png"), rgba, "png"));
        assertThat(rgbAt(img, 0, 0)).containsExactly(0x12, 0x34, 0x56);
        assertThat(rgbAt(img, 1, 1)).containsExactly(0xFF, 0x80, 0x40);
    }

    @Test
    void paletteIsLookedUp() throws IOException {
        byte[] r = {0, (byte) 200};
        byte[] g = {0, 10};
        byte[] b = {0, 99};
        BufferedImage pal = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_BINARY, new IndexColorModel(1, 2, r, g, b));
        pal.getRaster().setSample(2, 0, 0, 1);
        DecodedImage img = ImageDecoder.decode(TestImages.write(dir.resolve("p.png"), pal, "png"));
        assertThat(rgbAt(img, 2, 0)).containsExactly(200, 10, 99);
        assertThat(rgbAt(img, 0, 0)).containsExactly(0, 0, 0);
    }

    @Test
    void exifOrientationIsAppliedLikePil() throws IOException {
        byte[] jpeg = TestImages.encode(TestImages.halves(32, 16), "jpg"); // left red, right blue
        // 6: rotate 90 clockwise -> 16 x 32, the left (red) half ends on top
        for (boolean little : new boolean[] {true, false}) {
            Path f = dir.resolve("six" + little + ".jpg");
            Files.write(f, TestImages.withExifOrientation(jpeg, 6, little));
            DecodedImage img = ImageDecoder.decode(f);
            assertThat(img.width()).isEqualTo(16);
            assertThat(img.height()).isEqualTo(32);
            assertThat(rgbAt(img, 8, 4)[0]).isGreaterThan(200);
            assertThat(rgbAt(img, 8, 28)[2]).isGreaterThan(200);
            assertThat(ImageDecoder.size(f)).containsExactly(16, 32);
        }
        // 8: rotate 90 counter-clockwise -> the right (blue) half ends on top
        Path eight = dir.resolve("eight.jpg");
        Files.write(eight, TestImages.withExifOrientation(jpeg, 8, false));
        DecodedImage img = ImageDecoder.decode(eight);
        assertThat(rgbAt(img, 8, 4)[2]).isGreaterThan(200);
        assertThat(rgbAt(img, 8, 28)[0]).isGreaterThan(200);
        // 3: rotate 180 -> blue on the left, size unchanged
        Path three = dir.resolve("three.jpg");
        Files.write(three, TestImages.withExifOrientation(jpeg, 3, true));
        img = ImageDecoder.decode(three);
        assertThat(img.width()).isEqualTo(32);
        assertThat(rgbAt(img, 4, 8)[2]).isGreaterThan(200);
        assertThat(ImageDecoder.size(three)).containsExactly(32, 16);
        // 1 and no Exif at all: unchanged
        assertThat(ExifOrientation.read(jpeg)).isEqualTo(1);
        assertThat(ExifOrientation.read(TestImages.withExifOrientation(jpeg, 1, true)))
                .isEqualTo(1);
    }

    @Test
    void exifMappingsMatchPilTransposeDefinitions() {
        // 2x1 image: pixel A=(1,2,3), B=(4,5,6); orientation 5 (transpose) gives a 1x2 column A over B
        byte[] rgb = {1, 2, 3, 4, 5, 6};
        assertThat(ExifOrientation.apply(2, 2, 1, rgb)).containsExactly(4, 5, 6, 1, 2, 3);
        assertThat(ExifOrientation.apply(5, 2, 1, rgb)).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(ExifOrientation.apply(7, 2, 1, rgb)).containsExactly(4, 5, 6, 1, 2, 3);
        assertThat(ExifOrientation.apply(6, 2, 1, rgb)).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(ExifOrientation.apply(8, 2, 1, rgb)).containsExactly(4, 5, 6, 1, 2, 3);
        // 1x2 column A over B: rotating clockwise puts B on the left
        assertThat(ExifOrientation.apply(6, 1, 2, rgb)).containsExactly(4, 5, 6, 1, 2, 3);
        assertThat(ExifOrientation.apply(8, 1, 2, rgb)).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(ExifOrientation.apply(4, 1, 2, rgb)).containsExactly(4, 5, 6, 1, 2, 3);
    }

    @Test
    void truncatedAndCorruptFilesFailNamingTheFile() throws IOException {
        byte[] jpeg = TestImages.encode(TestImages.halves(64, 64), "jpg");
        Path cutJpeg = Files.write(dir.resolve("cut.jpg"), TestImages.truncated(jpeg, 0.6));
        assertThatThrownBy(() -> ImageDecoder.decode(cutJpeg))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(cutJpeg.toString())
                .hasMessageContaining("truncated");
        byte[] png = TestImages.encode(TestImages.halves(64, 64), "png");
        Path cutPng = Files.write(dir.resolve("cut.png"), TestImages.truncated(png, 0.6));
        assertThatThrownBy(() -> ImageDecoder.decode(cutPng))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(cutPng.toString());
        Path text = Files.writeString(dir.resolve("text.jpg"), "not an image at all");
        assertThatThrownBy(() -> ImageDecoder.decode(text))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(text.toString());
        Path missing = dir.resolve("missing.jpg");
        assertThatThrownBy(() -> ImageDecoder.decode(missing))
                .isInstanceOf(IOException.class)
                .hasMessage("missing image file " + missing);
    }
}
