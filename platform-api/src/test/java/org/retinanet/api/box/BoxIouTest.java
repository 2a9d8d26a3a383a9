package org.retinanet.api.box;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class BoxIouTest {

    // a: 10x10 at the origin; b: shifted right by 5 (inter 50, union 150); c: zero width; d: far away
    private static final float[] BOXES = {0, 0, 10, 10, 5, 0, 15, 10, 3, 3, 3, 8, 20, 20, 30, 30};

    @Test
    void deviceIouMatchesHandValuesIncludingDegenerateBoxes() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray boxes = m.create(BOXES, new Shape(4, 4));
            float[] iou = BoxIou.iou(boxes, boxes).toFloatArray();
            assertThat(iou[0]).isEqualTo(1f);
            assertThat(iou[1]).isEqualTo(50f / 150f);
            assertThat(iou[2]).isZero(); // zero-area box overlaps nothing
            assertThat(iou[3]).isZero();
            assertThat(iou[2 * 4 + 2]).isZero(); // not even itself: 0 / max(0, 1e-6)
            float[] iof = BoxIou.iof(boxes.get("1:2"), boxes.get("0:1")).toFloatArray();
            assertThat(iof).containsExactly(0.5f);
            assertThat(BoxIou.area(boxes).toFloatArray()).containsExactly(100f, 100f, 0f, 100f);
        }
    }

    @Test
    void hostFloatIouIsTheDeviceIouBitForBit() {
        float[] boxes = {0.1f, 0.7f, 10.3f, 9.9f, 5.55f, 0.01f, 15.2f, 10.7f, 1f, 2f, 3.3f, 4.4f};
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray b = m.create(boxes, new Shape(3, 4));
            float[] device = BoxIou.iou(b, b).toFloatArray();
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    assertThat(BoxIou.iouFloat(boxes, i, j)).as(i + "," + j).isEqualTo(device[3 * i + j]);
                }
            }
        }
    }

    @Test
    void hostDoubleIou() {
        assertThat(BoxIou.iouDouble(BOXES, 0, 1)).isEqualTo(50.0 / 150.0);
        assertThat(BoxIou.iouDouble(BOXES, 0, 3)).isZero();
        assertThat(BoxIou.iouDouble(BOXES, 0, 2)).isZero();
        assertThat(BoxIou.areaDouble(BOXES, 2)).isZero();
        assertThat(BoxIou.areaDouble(new float[] {0, 0, Float.NaN, 1}, 0)).isZero();
        assertThat(BoxIou.areaDouble(new float[] {5, 0, 1, 1}, 0)).isZero(); // inverted
    }

    @Test
    void cocoIouDividesByTheDetectionAreaForCrowds() {
        // detection 10x10 at the origin, gt from (5, 0) of 100x100: intersection 5 x 10
        assertThat(BoxIou.iouXywh(0, 0, 10, 10, 5, 0, 100, 100, true)).isEqualTo(0.5);
        assertThat(BoxIou.iouXywh(0, 0, 10, 10, 5, 0, 100, 100, false)).isEqualTo(50.0 / (100 + 10000 - 50));
        assertThat(BoxIou.iouXywh(0, 0, 10, 10, 10, 0, 5, 5, false)).isZero(); // touching edges
        assertThat(BoxIou.iouXywh(0, 0, 0, 10, 0, 0, 10, 10, true)).isZero(); // zero-area detection
    }

    @Test
    void vocIouAddsOneForLegacyPixelBoxes() {
        // inclusive pixels 0..9 x 0..9 (100 px) and 0..9 x 0..4 (50 px)
        assertThat(BoxIou.iouCorners(0, 0, 9, 9, 0, 0, 9, 4, 1)).isEqualTo(0.5);
        assertThat(BoxIou.iouCorners(0, 0, 9, 9, 0, 0, 9, 4, 0)).isEqualTo(36.0 / 81.0);
        // a single pixel has area 1 with +1 and none without
        assertThat(BoxIou.iouCorners(3, 3, 3, 3, 3, 3, 3, 3, 1)).isEqualTo(1.0);
        assertThat(BoxIou.iouCorners(3, 3, 3, 3, 3, 3, 3, 3, 0)).isZero();
    }
}
