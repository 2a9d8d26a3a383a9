package org.retinanet.datasets.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retinanet.api.data.DatasetContext;
import org.retinanet.api.data.DetectionDataset;
import org.retinanet.api.registry.UserException;
import org.retinanet.datasets.TestImages;

class ImageListDatasetTest {

    @TempDir
    Path dir;

    @Test
    void cocoStyleNamesGiveCocoIdsAndSizesComeFromHeaders() throws IOException {
        TestImages.solid(dir.resolve("000000000042.jpg"), 40, 30, 0x102030);
        TestImages.solid(dir.resolve("000000000007.png"), 20, 50, 0x102030);
        Files.writeString(dir.resolve("notes.txt"), "not an image");
        DetectionDataset ds =
                new ImageListFactory().create(new ImageListConfig(null, ".", null), new DatasetContext(dir, false, 0));
        assertThat(ds.size()).isEqualTo(2);
        assertThat(ds.annotations(0).image().id()).isEqualTo(7); // sorted by name
        assertThat(ds.annotations(0).image().width()).isEqualTo(20);
        assertThat(ds.annotations(0).image().height()).isEqualTo(50);
        assertThat(ds.annotations(1).image().id()).isEqualTo(42);
        assertThat(ds.annotations(1).boxes()).isEmpty();
        assertThat(ds.image(1).width()).isEqualTo(40);
    }

    @Test
    void otherNamesAreNumberedByPositionAndMissingFilesAreNamed() throws IOException {
        TestImages.solid(dir.resolve("cat.jpg"), 10, 10, 0);
        TestImages.solid(dir.resolve("12.jpg"), 10, 10, 0);
        DetectionDataset ds = new ImageListFactory()
                .create(
                        new ImageListConfig(List.of("cat.jpg", "12.jpg"), null, List.of("a", "b")),
                        new DatasetContext(dir, false, 0));
        assertThat(ds.annotations(0).image().id()).isEqualTo(0);
        assertThat(ds.annotations(1).image().id()).isEqualTo(1);
        assertThat(ds.categories()).extracting(c -> c.name()).containsExactly("a", "b");
        assertThatThrownBy(() -> new ImageListFactory()
                        .create(
                                new ImageListConfig(List.of("gone.jpg"), null, null),
                                new DatasetContext(dir, false, 0)))
                .isInstanceOf(UserException.class)
                .hasMessage("missing image file " + dir.resolve("gone.jpg"));
        assertThatThrownBy(() -> new ImageListConfig(List.of("a.jpg"), "dir", null))
                .hasMessageContaining("exactly one of 'files' or 'dir'");
    }
}
