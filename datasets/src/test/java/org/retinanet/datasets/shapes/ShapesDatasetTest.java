package org.retinanet.datasets.shapes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retinanet.api.data.DatasetContext;
import org.retinanet.api.data.DecodedImage;
import org.retinanet.api.data.DetectionDataset;
import org.retinanet.api.data.GtBox;
import org.retinanet.api.data.ImageAnnotations;
import org.retinanet.datasets.coco.CocoDatasetConfig;
import org.retinanet.datasets.coco.CocoDatasetFactory;

class ShapesDatasetTest {

    @TempDir
    Path dir;

    private static ShapesDataset shapes(int n, long seed) {
        ShapesDatasetConfig c = new ShapesDatasetConfig(n, null, null, null, null, null, null, null, null, null, seed);
        return new ShapesDataset(c, seed);
    }

    @Test
    void sameSeedGivesIdenticalPixelsAndBoxesDifferentSeedDoesNot() {
        ShapesDataset a = shapes(6, 11);
        ShapesDataset b = shapes(6, 11);
        ShapesDataset c = shapes(6, 12);
        for (int i = 0; i < 6; i++) {
            assertThat(a.image(i).rgb()).isEqualTo(b.image(i).rgb());
            assertThat(a.annotations(i)).isEqualTo(b.annotations(i));
            assertThat(a.image(i).rgb()).isNotEqualTo(c.image(i).rgb());
            assertThat(a.annotations(i).boxes()).isNotEqualTo(c.annotations(i).boxes());
        }
        // image i does not depend on which images were generated before, nor on the thread
        List<byte[]> parallel = IntStream.range(0, 6)
                .parallel()
                .mapToObj(i -> a.image(5 - i).rgb())
                .toList();
        for (int i = 0; i < 6; i++) {
            assertThat(parallel.get(i)).isEqualTo(b.image(5 - i).rgb());
        }
    }

    @Test
    void objectsAreOfVariedClassesAndSizesInsideTheImage() {
        ShapesDataset ds = shapes(200, 3);
        assertThat(ds.categories())
                .extracting(cat -> cat.name())
                .containsExactly("rectangle", "ellipse", "triangle", "cross");
        assertThat(ds.categories()).extracting(cat -> cat.datasetId()).containsExactly(1L, 2L, 3L, 4L);
        Set<Integer> labels = new HashSet<>();
        List<Double> sides = new ArrayList<>();
        int ignored = 0;
        int boxes = 0;
        for (int i = 0; i < ds.size(); i++) {
            ImageAnnotations a = ds.annotations(i);
            assertThat(a.image().width()).isEqualTo(128);
            assertThat(a.image().id()).isEqualTo(i + 1);
            assertThat(a.boxes().size()).isBetween(0, 5);
            for (GtBox b : a.boxes()) {
                assertThat(b.x1()).isGreaterThanOrEqualTo(0);
                assertThat(b.x2()).isLessThanOrEqualTo(128);
                assertThat(b.y2()).isLessThanOrEqualTo(128);
                assertThat(Math.min(b.width(), b.height())).isGreaterThanOrEqualTo(12);
                assertThat(Math.max(b.width(), b.height())).isLessThanOrEqualTo(60);
                assertThat(b.area()).isPositive().isLessThanOrEqualTo(b.width() * b.height());
                labels.add(b.label());
                sides.add(Math.sqrt(b.width() * b.height()));
                ignored += b.ignore() ? 1 : 0;
                boxes++;
            }
        }
        assertThat(labels).containsExactlyInAnyOrder(0, 1, 2, 3);
        assertThat(sides.stream().filter(s -> s < 20).count())
                .as("small objects")
                .isGreaterThan(boxes / 5);
        assertThat(sides.stream().filter(s -> s > 40).count())
                .as("large objects")
                .isGreaterThan(boxes / 10);
        assertThat(ignored).as("mostly hidden shapes become ignore regions").isBetween(1, boxes / 5);
    }

    @Test
    void shapesArePaintedWhereTheirBoxesAre() {
        ShapesDataset ds = shapes(20, 5);
        for (int i = 0; i < ds.size(); i++) {
            DecodedImage img = ds.image(i);
            for (GtBox b : ds.annotations(i).boxes()) {
                if (b.ignore()) {
                    continue;
                }
                // the box centre row holds the shape: saturated colour differs from the dim background
                int cx = (int) ((b.x1() + b.x2()) / 2);
                int cy = (int) ((b.y1() + b.y2()) / 2);
                int p = (cy * img.width() + cx) * 3;
                int max = Math.max(img.rgb()[p] & 0xFF, Math.max(img.rgb()[p + 1] & 0xFF, img.rgb()[p + 2] & 0xFF));
                if (b.area() == b.width() * b.height()) { // unoccluded: centre pixel is the shape's
                    assertThat(max).isGreaterThan(150);
                }
            }
        }
    }

    @Test
    void writesCocoThatTheCocoPluginReadsBackIdentically() throws IOException {
        ShapesDataset ds = shapes(8, 21);
        Path json = ds.writeCoco(dir.resolve("shapes"));
        DetectionDataset back = new CocoDatasetFactory()
                .create(
                        new CocoDatasetConfig(json.toString(), null, null, null, null),
                        new DatasetContext(dir, false, 0));
        assertThat(back.size()).isEqualTo(8);
        assertThat(back.categories()).isEqualTo(ds.categories());
        for (int i = 0; i < 8; i++) {
            assertThat(back.annotations(i).boxes()).isEqualTo(ds.annotations(i).boxes());
            assertThat(back.annotations(i).image().id())
                    .isEqualTo(ds.annotations(i).image().id());
            assertThat(back.image(i).rgb()).isEqualTo(ds.image(i).rgb());
        }
    }

    @Test
    void factoryDefaultsGiveDifferentTrainAndTestSetsAndConfigIsValidated() throws IOException {
        ShapesDatasetFactory f = new ShapesDatasetFactory();
        DetectionDataset train = f.create(ShapesDatasetConfig.defaults(), new DatasetContext(dir, true, 0));
        DetectionDataset test = f.create(ShapesDatasetConfig.defaults(), new DatasetContext(dir, false, 0));
        assertThat(train.size()).isEqualTo(256);
        assertThat(train.annotations(0)).isNotEqualTo(test.annotations(0));
        assertThatThrownBy(() -> new ShapesDatasetConfig(
                        null, null, null, null, null, null, List.of("hexagon"), null, null, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown class 'hexagon'");
        assertThatThrownBy(() -> new ShapesDatasetConfig(null, null, 4, 2, null, null, null, null, null, null, null))
                .hasMessageContaining("maxObjects (2) < minObjects (4)");
        ShapesDatasetConfig wide = new ShapesDatasetConfig(
                3, List.of(160, 96), null, null, null, null, List.of("cross", "ellipse"), null, null, null, null);
        DetectionDataset two = f.create(wide, new DatasetContext(dir, true, 0));
        assertThat(two.image(0).width()).isEqualTo(160);
        assertThat(two.image(0).height()).isEqualTo(96);
        assertThat(two.categories()).extracting(c -> c.name()).containsExactly("cross", "ellipse");
    }
}
