package org.retinanet.datasets.voc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retinanet.api.data.DatasetContext;
import org.retinanet.api.data.DetectionDataset;
import org.retinanet.api.data.GtBox;
import org.retinanet.api.registry.UserException;
import org.retinanet.datasets.TestImages;

class VocDatasetTest {

    @TempDir
    Path root;

    private void annotation(String id, String objects, boolean withSize) throws IOException {
        String size = withSize ? "<size><width>64</width><height>48</height><depth>3</depth></size>" : "";
        Files.writeString(
                root.resolve("Annotations/" + id + ".xml"),
                "<annotation><folder>VOC2007</folder><filename>" + id + ".jpg</filename>" + size + objects
                        + "</annotation>");
    }

    private static String object(String name, int difficult, String x1, String y1, String x2, String y2) {
        return "<object><name>" + name + "</name><pose>Left</pose><truncated>0</truncated><difficult>" + difficult
                + "</difficult><bndbox><xmin>" + x1 + "</xmin><ymin>" + y1 + "</ymin><xmax>" + x2 + "</xmax><ymax>" + y2
                + "</ymax></bndbox></object>";
    }

    private void layout() throws IOException {
        Files.createDirectories(root.resolve("Annotations"));
        Files.createDirectories(root.resolve("JPEGImages"));
        Files.createDirectories(root.resolve("ImageSets/Main"));
        Files.writeString(root.resolve("ImageSets/Main/test.txt"), "000005\n2008_000123\n000007\n");
        annotation(
                "000005",
                object("dog", 0, "1", "1", "64", "48")
                        + object("person", 1, "10.7", "5", "20", "30")
                        + object("unicorn", 0, "1", "1", "5", "5"),
                true);
        annotation("2008_000123", object("person", 0, "3", "4", "30", "40"), false);
        annotation("000007", "", true);
        TestImages.solid(root.resolve("JPEGImages/000005.jpg"), 64, 48, 0x808080);
        TestImages.solid(root.resolve("JPEGImages/2008_000123.jpg"), 50, 60, 0x808080);
    }

    @Test
    void readsVocLikeMmdetectionXmlDataset() throws IOException {
        layout();
        DetectionDataset ds = new VocDatasetFactory()
                .create(
                        new VocDatasetConfig(root.toString(), null, null, null, null, null),
                        new DatasetContext(root, false, 0));
        assertThat(ds.categories()).hasSize(20);
        assertThat(ds.categories().get(11).name()).isEqualTo("dog");
        assertThat(ds.size()).isEqualTo(3); // test split, no filtering
        var first = ds.annotations(0);
        assertThat(first.image().id()).isEqualTo(5);
        assertThat(first.image().width()).isEqualTo(64);
        // int(float(v)) - 1 per corner; difficult -> ignore; unknown class skipped
        assertThat(first.boxes())
                .extracting(GtBox::x1, GtBox::y1, GtBox::x2, GtBox::y2, GtBox::label, GtBox::ignore)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(0.0, 0.0, 63.0, 47.0, 11, false),
                        org.assertj.core.groups.Tuple.tuple(9.0, 4.0, 19.0, 29.0, 14, true));
        var second = ds.annotations(1);
        assertThat(second.image().id()).isEqualTo(2008000123L);
        assertThat(second.image().width()).isEqualTo(50); // no <size>: read from the JPEG header
        assertThat(second.image().height()).isEqualTo(60);
        assertThat(ds.image(1).width()).isEqualTo(50);
        assertThat(ds.annotations(2).boxes()).isEmpty();
        // training filters the empty image
        DetectionDataset train = new VocDatasetFactory()
                .create(
                        new VocDatasetConfig(root.toString(), "test", null, null, null, null),
                        new DatasetContext(root, true, 0));
        assertThat(train.size()).isEqualTo(2);
    }

    @Test
    void badFilesAreNamed() throws IOException {
        layout();
        Files.writeString(root.resolve("Annotations/000007.xml"), "<annotation><size><width>3</width></size");
        assertThatThrownBy(() -> new VocDataset(root, "test", VocDatasetConfig.VOC_CLASSES, false, 0, false))
                .isInstanceOf(UserException.class)
                .hasMessageStartingWith("malformed XML in " + root.resolve("Annotations/000007.xml") + " at line 1");
        assertThatThrownBy(() -> new VocDataset(root, "train", VocDatasetConfig.VOC_CLASSES, false, 0, false))
                .isInstanceOf(UserException.class)
                .hasMessage("VOC split file not found: " + root.resolve("ImageSets/Main/train.txt"));
        Files.writeString(root.resolve("ImageSets/Main/one.txt"), "000005\n");
        Files.delete(root.resolve("JPEGImages/000005.jpg"));
        DetectionDataset ds = new VocDataset(root, "one", VocDatasetConfig.VOC_CLASSES, false, 0, false);
        assertThatThrownBy(() -> ds.image(0))
                .isInstanceOf(IOException.class)
                .hasMessage("missing image file " + root.resolve("JPEGImages/000005.jpg"));
    }
}
