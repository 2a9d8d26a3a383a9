package org.retinanet.datasets.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.retinanet.api.data.BoxTargets;
import org.retinanet.api.data.DecodedImage;
import org.retinanet.api.data.GtBox;
import org.retinanet.api.data.InputNormalization;
import org.retinanet.testing.Fixtures;

class TransformTest {

    private static final InputNormalization IDENTITY =
            new InputNormalization(new float[3], new float[] {1, 1, 1}, false);

    @Test
    void keepRatioSizesFollowMmcvRescaleSize() {
        // factor = min(1333 / long, 800 / short); side = int(side * factor + 0.5)
        assertThat(ResizeRule.keepRatio(640, 480, 1333, 800, false)).containsExactly(1067, 800); // 640*5/3 = 1066.67
        assertThat(ResizeRule.keepRatio(500, 318, 1333, 800, false))
                .containsExactly(1258, 800); // 500*800/318 = 1257.86
        assertThat(ResizeRule.keepRatio(1000, 200, 1333, 800, false))
                .containsExactly(1333, 267); // long side limits: 266.6
        assertThat(ResizeRule.keepRatio(427, 640, 800, 1333, false))
                .containsExactly(800, 1199); // order of the pair is free
        assertThat(ResizeRule.keepRatio(2000, 1500, 1333, 800, false)).containsExactly(1067, 800); // shrinking
        assertThat(ResizeRule.keepRatio(128, 128, 1333, 800, false)).containsExactly(800, 800);
        assertThat(ResizeRule.keepRatio(128, 128, 128, 128, false)).containsExactly(128, 128);
    }

    @Test
    void torchvisionRoundingMatchesTorchvision014() throws IOException {
        JsonNode ref = new ObjectMapper()
                .readTree(Fixtures.generated("datasets/resize_sizes.json").toFile());
        int checked = 0;
        for (JsonNode s : ref.get("torchvisionSizes")) {
            int[] size =
                    ResizeRule.keepRatio(s.get("width").asInt(), s.get("height").asInt(), 1333, 800, true);
            assertThat(size)
                    .as("%s", s)
                    .containsExactly(
                            s.get("newWidth").asInt(), s.get("newHeight").asInt());
            checked++;
        }
        assertThat(checked).isEqualTo(12);
        // the documented 0.14 quirk: 318x500 gives 799 where mmdetection gives 800
        assertThat(ResizeRule.keepRatio(500, 318, 1333, 800, true)).containsExactly(1257, 799);
    }

    @Test
    void bilinearResizeMatchesTorchInterpolate() throws IOException {
        JsonNode ref = new ObjectMapper()
                .readTree(Fixtures.generated("datasets/resize_sizes.json").toFile());
        int h = ref.get("inputHeight").asInt();
        int w = ref.get("inputWidth").asInt();
        DecodedImage image =
                new DecodedImage(w, h, Files.readAllBytes(Fixtures.generated("datasets/resize_input.bin")));
        for (JsonNode t : ref.get("targets")) {
            int th = t.get(0).asInt();
            int tw = t.get(1).asInt();
            float[] expected =
                    floats(Files.readAllBytes(Fixtures.generated("datasets/resize_" + th + "x" + tw + ".bin")));
            float[] actual = ImageTransform.pixels(image, tw, th, false, IDENTITY);
            assertThat(actual).hasSize(expected.length);
            for (int i = 0; i < expected.length; i++) {
                assertThat(actual[i]).as("%dx%d element %d", th, tw, i).isCloseTo(expected[i], within(2e-3f));
            }
        }
    }

    private static float[] floats(byte[] bytes) {
        float[] f = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
        return f;
    }

    @Test
    void flipMirrorsEveryRow() {
        byte[] rgb = new byte[5 * 3 * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) (i * 7);
        }
        DecodedImage image = new DecodedImage(5, 3, rgb);
        float[] plain = ImageTransform.pixels(image, 9, 4, false, IDENTITY);
        float[] flipped = ImageTransform.pixels(image, 9, 4, true, IDENTITY);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 4; y++) {
                for (int x = 0; x < 9; x++) {
                    assertThat(flipped[(c * 4 + y) * 9 + x]).isEqualTo(plain[(c * 4 + y) * 9 + 8 - x]);
                }
            }
        }
    }

    @Test
    void normalisationPerBackboneStyle() {
        DecodedImage image = new DecodedImage(1, 1, new byte[] {100, (byte) 150, (byte) 200});
        float[] pytorch = ImageTransform.pixels(image, 1, 1, false, InputNormalization.pytorch());
        assertThat(pytorch[0]).isCloseTo((100 - 123.675f) / 58.395f, within(1e-5f));
        assertThat(pytorch[1]).isCloseTo((150 - 116.28f) / 57.12f, within(1e-5f));
        assertThat(pytorch[2]).isCloseTo((200 - 103.53f) / 57.375f, within(1e-5f));
        float[] caffe = ImageTransform.pixels(image, 1, 1, false, InputNormalization.caffe());
        assertThat(caffe[0]).isCloseTo(200 - 103.53f, within(1e-4f)); // B first
        assertThat(caffe[1]).isCloseTo(150 - 116.28f, within(1e-4f));
        assertThat(caffe[2]).isCloseTo(100 - 123.675f, within(1e-4f));
    }

    @Test
    void boxesAreScaledPerAxisClippedAndFlippedExactly() {
        List<GtBox> gt =
                List.of(new GtBox(1, 10, 20, 50, 60, 3, false, 1600), new GtBox(2, -5, 10, 120, 70, 1, true, 1));
        // 100x80 -> 150x120 (scale 1.5, 1.5)
        BoxTargets t = ImageTransform.boxes(gt, 1.5, 1.5, 150, 120, false);
        assertThat(t.boxes()).containsExactly(15f, 30f, 75f, 90f, 0f, 15f, 150f, 105f);
        assertThat(t.labels()).containsExactly(3, 1);
        assertThat(t.ignore()).containsExactly(false, true);
        BoxTargets f = ImageTransform.boxes(gt, 1.5, 1.5, 150, 120, true);
        assertThat(f.boxes()).containsExactly(75f, 30f, 135f, 90f, 0f, 15f, 150f, 105f); // x1' = W - x2, x2' = W - x1
        // different scales per axis, as mmdetection's new_w / w and new_h / h
        int[] size = ResizeRule.keepRatio(500, 318, 1333, 800, false);
        double sx = size[0] / 500.0;
        double sy = size[1] / 318.0;
        BoxTargets s = ImageTransform.boxes(
                List.of(new GtBox(1, 0, 0, 500, 318, 0, false, 1)), sx, sy, size[0], size[1], false);
        assertThat(s.boxes()).containsExactly(0f, 0f, 1258f, 800f);
        assertThat(sx).isNotEqualTo(sy);
    }
}
