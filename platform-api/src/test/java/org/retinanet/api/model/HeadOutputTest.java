package org.retinanet.api.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.retinanet.api.box.GridSize;

class HeadOutputTest {

    @Test
    void levelsCarryTheirOwnSizes() {
        try (NDManager m = NDManager.newBaseManager()) {
            HeadOutput out = HeadOutput.of(
                    List.of(m.zeros(new Shape(2, 6, 3, 5)), m.zeros(new Shape(2, 6, 2, 1))),
                    List.of(m.zeros(new Shape(2, 8, 3, 5)), m.zeros(new Shape(2, 8, 2, 1))));
            assertThat(out.levels()).isEqualTo(2);
            assertThat(out.gridSizes()).containsExactly(new GridSize(3, 5), new GridSize(2, 1));
            assertThat(out.regression(1).getShape()).isEqualTo(new Shape(2, 8, 2, 1));
            assertThat(out.flatClassification(2).get(0).getShape()).isEqualTo(new Shape(2, 30, 3));
            assertThat(out.flatRegression(2).get(1).getShape()).isEqualTo(new Shape(2, 4, 4));
            assertThatThrownBy(() -> out.classification(2)).isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    /** Row (h*W + w)*A + a, column c holds channel a*C + c at (h, w): torchvision's order. */
    @Test
    void flattenIsTorchvisionsHwaOrderOnNonSquareMaps() {
        int n = 2;
        int anchors = 3;
        int classes = 4;
        int h = 2;
        int w = 5;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray map = m.arange(n * anchors * classes * h * w)
                    .toType(DataType.FLOAT32, false)
                    .reshape(n, anchors * classes, h, w);
            float[] flat = HeadOutput.flatten(map, anchors).toFloatArray();
            float[] src = map.toFloatArray();
            for (int i = 0; i < n; i++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        for (int a = 0; a < anchors; a++) {
                            for (int c = 0; c < classes; c++) {
                                int row = (y * w + x) * anchors + a;
                                int to = (i * h * w * anchors + row) * classes + c;
                                int from = ((i * anchors * classes + a * classes + c) * h + y) * w + x;
                                assertThat(flat[to]).isEqualTo(src[from]);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void mismatchedOrOddListsAreRejected() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.zeros(new Shape(1, 6, 3, 5));
            assertThatThrownBy(() -> new HeadOutput(new NDList(a))).hasMessageContaining("1 arrays");
            assertThatThrownBy(() -> new HeadOutput(new NDList(a, m.zeros(new Shape(1, 8, 3, 4)))))
                    .hasMessageContaining("level 0");
            assertThatThrownBy(() ->
                            new HeadOutput(new NDList(m.zeros(new Shape(1, 30, 3)), m.zeros(new Shape(1, 30, 4)))))
                    .hasMessageContaining("(N, C, H, W)");
            assertThatThrownBy(() -> HeadOutput.flatten(a, 4)).hasMessageContaining("A = 4");
        }
    }
}
