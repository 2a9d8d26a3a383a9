package org.retinanet.heads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.retinanet.api.box.GridSize;
import org.retinanet.api.box.modules.AnchorGenerator;
import org.retinanet.api.box.modules.AnchorGeneratorConfig;

class AnchorGeneratorTest {

    @ParameterizedTest
    @ValueSource(strings = {"224x288", "800x1088", "128x160"})
    void torchvisionAnchorsAreIdentical(String size) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> f = TestArrays.npz(m, "anchors_" + size + ".npz");
            long[] image = f.get("image_size").toLongArray();
            long[] fs = f.get("feature_sizes").toLongArray();
            List<GridSize> grids = new ArrayList<>();
            for (int i = 0; i < fs.length; i += 2) {
                grids.add(new GridSize((int) fs[i], (int) fs[i + 1]));
            }
            AnchorGenerator gen = new AnchorGenerator(
                    (AnchorGeneratorConfig) RetinaHeadConfig.torchvision().anchors());
            NDArray ours = gen.priors(m, grids, (int) image[0], (int) image[1]);
            NDArray expected = f.get("anchors");
            assertThat(ours.getShape()).isEqualTo(expected.getShape());
            float[] a = ours.toFloatArray();
            float[] e = expected.toFloatArray();
            int first = java.util.Arrays.mismatch(a, e);
            assertThat(first)
                    .as(() ->
                            "first differing coordinate " + first + ": ours " + a[first] + ", torchvision " + e[first])
                    .isEqualTo(-1);
        }
    }

    @Test
    void mmdetectionBaseAnchorsOfStride8() {
        AnchorGenerator gen = new AnchorGenerator(AnchorGeneratorConfig.defaults());
        float[] base = gen.baseAnchors(0);
        // spec section 2.1: ratio-major, sizes 32 * 2^(i/3) * (1/sqrt(r), sqrt(r))
        double[][] expected = {
            {-22.627, -11.314, 22.627, 11.314}, {-28.509, -14.254, 28.509, 14.254}, {-35.919, -17.959, 35.919, 17.959},
            {-16, -16, 16, 16}, {-20.159, -20.159, 20.159, 20.159}, {-25.398, -25.398, 25.398, 25.398},
            {-11.314, -22.627, 11.314, 22.627}, {-14.254, -28.509, 14.254, 28.509}, {-17.959, -35.919, 17.959, 35.919}
        };
        for (int a = 0; a < 9; a++) {
            for (int k = 0; k < 4; k++) {
                assertThat((double) base[4 * a + k])
                        .as("anchor %d coord %d", a, k)
                        .isCloseTo(expected[a][k], within(1e-3));
            }
        }
        // P7 covers 512 .. 812.7 (square anchors)
        float[] p7 = gen.baseAnchors(4);
        assertThat((double) p7[4 * 5 + 2] * 2).isCloseTo(812.75, within(0.01));
    }

    @Test
    void mmdetectionGridAt800x1344() {
        AnchorGenerator gen = new AnchorGenerator(AnchorGeneratorConfig.defaults());
        List<GridSize> grids = List.of(
                new GridSize(100, 168),
                new GridSize(50, 84),
                new GridSize(25, 42),
                new GridSize(13, 21),
                new GridSize(7, 11));
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray anchors = gen.priors(m, grids, 800, 1344);
            assertThat(anchors.getShape().get(0)).isEqualTo(201_600);
            // second location of P3 (x = 1): shifted by the stride, centre at the cell's corner
            float[] first = anchors.get("0:18").toFloatArray();
            assertThat(first[9 * 4 + 3 * 4]).isEqualTo(8f - 16f);
            assertThat(first[9 * 4 + 3 * 4 + 1]).isEqualTo(-16f);
            // P4 starts after 100*168*9 anchors and its first square anchor is 32 px
            float[] p4 = anchors.get(100 * 168 * 9 + 3).toFloatArray();
            assertThat(p4).containsExactly(-32f, -32f, 32f, 32f);
        }
    }

    @Test
    void validMaskCoversEachImagesOwnPaddedRegion() {
        AnchorGenerator gen = new AnchorGenerator(AnchorGeneratorConfig.defaults());
        List<GridSize> grids = List.of(
                new GridSize(16, 20), new GridSize(8, 10), new GridSize(4, 5), new GridSize(2, 3), new GridSize(1, 2));
        try (NDManager m = NDManager.newBaseManager()) {
            // a 100x70 image in a 128x160 batch: its own padded size is 128x96
            boolean[] valid = gen.validMask(m, grids, 128, 160, 100, 70).toBooleanArray();
            assertThat(valid).hasSize((320 + 80 + 20 + 6 + 2) * 9);
            // P3: 16 rows x 12 columns valid
            int count = 0;
            for (int i = 0; i < 320 * 9; i++) {
                count += valid[i] ? 1 : 0;
            }
            assertThat(count).isEqualTo(16 * 12 * 9);
            assertThat(valid[(0 * 20 + 11) * 9]).isTrue();
            assertThat(valid[(0 * 20 + 12) * 9]).isFalse();
            // P6 (stride 64): ceil(128/64) = 2 rows, ceil(96/64) = 2 of 3 columns
            int p6 = (320 + 80 + 20) * 9;
            assertThat(valid[p6 + 1 * 9]).isTrue();
            assertThat(valid[p6 + 2 * 9]).isFalse();
            // torchvision: no mask
            AnchorGenerator tv = new AnchorGenerator(
                    (AnchorGeneratorConfig) RetinaHeadConfig.torchvision().anchors());
            assertThat(tv.validMask(m, grids, 128, 160, 100, 70).all().getBoolean())
                    .isTrue();
        }
    }

    @Test
    void truncatedSizesAreTorchvisions() {
        AnchorGenerator tv = new AnchorGenerator(
                (AnchorGeneratorConfig) RetinaHeadConfig.torchvision().anchors());
        // P3 sizes (32, 40, 50): the 1:1 anchors are +-16, +-20, +-25
        float[] base = tv.baseAnchors(0);
        assertThat(base[3 * 4 + 2]).isEqualTo(16f);
        assertThat(base[4 * 4 + 2]).isEqualTo(20f);
        assertThat(base[5 * 4 + 2]).isEqualTo(25f);
    }

    @Test
    void wrongNumberOfLevelsIsAnError() {
        AnchorGenerator gen = new AnchorGenerator(AnchorGeneratorConfig.defaults());
        try (NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> gen.priors(m, List.of(new GridSize(4, 4)), 32, 32))
                    .hasMessageContaining("head.anchors.strides has 5 entries");
        }
    }
}
