package org.retinanet.datasets.coco;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retinanet.api.data.Category;
import org.retinanet.api.data.DatasetContext;
import org.retinanet.api.data.DecodedImage;
import org.retinanet.api.data.DetectionDataset;
import org.retinanet.api.data.GtBox;
import org.retinanet.api.data.ImageAnnotations;
import org.retinanet.api.data.ImageInfo;
import org.retinanet.api.registry.UserException;
import org.retinanet.datasets.TestImages;

class CocoDatasetTest {

    @TempDir
    Path dir;

    private static final String GOOD = """
            {"info": {"year": 2017}, "licenses": [],
             "categories": [{"id": 18, "name": "dog"}, {"id": 1, "name": "person"}, {"id": 3, "name": "car"}],
             "annotations": [
              {"id": 11, "image_id": 42, "category_id": 18, "bbox": [10.5, 20, 30, 40.25], "area": 900.5, "iscrowd": 0,
               "segmentation": [[1, 2, 3, 4, 5, 6]]},
              {"id": 12, "image_id": 42, "category_id": 1, "bbox": [0, 0, 50, 60], "area": 2000, "iscrowd": 1,
               "segmentation": {"counts": [1, 2], "size": [80, 100]}},
              {"id": 13, "image_id": 42, "category_id": 3, "bbox": [5, 5, 0.5, 10], "area": 5, "iscrowd": 0},
              {"id": 14, "image_id": 42, "category_id": 3, "bbox": [5, 5, 10, 10], "area": 0, "iscrowd": 0},
              {"id": 15, "image_id": 42, "category_id": 3, "bbox": [120, 5, 10, 10], "area": 100, "iscrowd": 0},
              {"id": 16, "image_id": 7, "category_id": 3, "bbox": [1, 2, 3, 4], "area": 12, "iscrowd": 0}
             ],
             "images": [{"id": 42, "file_name": "a.jpg", "width": 100, "height": 80},
                        {"id": 9, "file_name": "empty.jpg", "width": 64, "height": 48},
                        {"id": 7, "file_name": "small.png", "width": 30, "height": 20}]
            }
            """;

    private Path json(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    /** The annotations only (these tests have no image files; their check is tested below). */
    private DetectionDataset load(Path file, boolean training) {
        return new CocoDatasetFactory()
                .create(
                        new CocoDatasetConfig(file.getFileName().toString(), null, null, null, null),
                        new DatasetContext(dir, training, 0, false));
    }

    @Test
    void categoriesMapToContiguousLabelsInSortedIdOrder() throws IOException {
        DetectionDataset ds = load(json("instances.json", GOOD), false);
        assertThat(ds.categories())
                .containsExactly(new Category(0, 1, "person"), new Category(1, 3, "car"), new Category(2, 18, "dog"));
        assertThat(ds.name()).isEqualTo("coco:instances");
    }

    @Test
    void boxesBecomeCornersCrowdIsIgnoreAndDegenerateBoxesAreDroppedAndCounted() throws IOException {
        CocoDataset ds = (CocoDataset) load(json("instances.json", GOOD), false);
        assertThat(ds.size()).isEqualTo(3);
        ImageAnnotations a = ds.annotations(0);
        assertThat(a.image().id()).isEqualTo(42);
        assertThat(a.image().file()).isEqualTo(dir.resolve("a.jpg"));
        assertThat(a.image().width()).isEqualTo(100);
        assertThat(a.image().height()).isEqualTo(80);
        assertThat(a.boxes())
                .containsExactly(
                        new GtBox(11, 10.5, 20, 40.5, 60.25, 2, false, 900.5),
                        new GtBox(12, 0, 0, 50, 60, 0, true, 2000));
        // w < 1, area 0, outside the image: dropped and counted (mmdetection's CocoDataset rules)
        assertThat(ds.droppedAnnotations()).isEqualTo(3);
        assertThat(ds.loadSummary()).contains("3 degenerate dropped").contains("6 annotations");
        // pycocotools' view keeps them
        assertThat(ds.groundTruth(0).boxes()).extracting(GtBox::id).containsExactly(11L, 12L, 13L, 14L, 15L);
    }

    @Test
    void trainingFiltersImagesWithoutAnnotationsAndSmallImagesLikeMmdetection() throws IOException {
        Path file = json("instances.json", GOOD);
        DetectionDataset test = load(file, false);
        assertThat(List.of(
                        test.annotations(0).image().id(),
                        test.annotations(1).image().id(),
                        test.annotations(2).image().id()))
                .containsExactly(42L, 9L, 7L);
        DetectionDataset train = load(file, true); // filterEmpty drops 9, minSize 32 drops the 30x20 image 7
        assertThat(train.size()).isEqualTo(1);
        assertThat(train.annotations(0).image().id()).isEqualTo(42);
        DetectionDataset noMinSize = new CocoDatasetFactory()
                .create(
                        new CocoDatasetConfig(file.toString(), null, true, 0, null),
                        new DatasetContext(dir, false, 0, false));
        assertThat(noMinSize.size()).isEqualTo(2);
        assertThat(noMinSize.annotations(1).boxes()).extracting(GtBox::id).containsExactly(16L);
    }

    @Test
    void imagesAreDecodedFromTheImageDirectoryAndBadOnesNameTheFile() throws IOException {
        Path images = Files.createDirectories(dir.resolve("imgs"));
        TestImages.solid(images.resolve("a.jpg"), 100, 80, 0x336699);
        TestImages.solid(images.resolve("empty.jpg"), 64, 48, 0x336699);
        Files.write(
                images.resolve("small.png"),
                TestImages.truncated(TestImages.encode(TestImages.halves(30, 20), "png"), 0.5));
        Path file = json("instances.json", GOOD);
        DetectionDataset ds = new CocoDatasetFactory()
                .create(
                        new CocoDatasetConfig("instances.json", "imgs", null, null, null),
                        new DatasetContext(dir, false, 0));
        Files.delete(images.resolve("empty.jpg")); // gone after the dataset was built
        DecodedImage img = ds.image(0);
        assertThat(img.width()).isEqualTo(100);
        assertThat(img.height()).isEqualTo(80);
        assertThatThrownBy(() -> ds.image(1))
                .isInstanceOf(IOException.class)
                .hasMessage("missing image file " + images.resolve("empty.jpg"));
        assertThatThrownBy(() -> ds.image(2))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(images.resolve("small.png").toString());
        assertThat(file).exists();
    }

    @Test
    void imagesMissingFromTheImageDirectoryFailWhenTheDatasetIsBuilt() throws IOException {
        Path images = Files.createDirectories(dir.resolve("imgs"));
        TestImages.solid(images.resolve("a.jpg"), 100, 80, 0x336699);
        Path file = json("instances.json", GOOD);
        CocoDatasetConfig config = new CocoDatasetConfig("instances.json", "imgs", null, null, null);
        assertThatThrownBy(() -> new CocoDatasetFactory().create(config, new DatasetContext(dir, false, 0)))
                .isInstanceOf(UserException.class)
                .hasMessage(file + ": 2 of 3 images are missing from " + images + ": empty.jpg, small.png"
                        + " (skipBadImages: true in the dataset config leaves them out)");
        // training leaves out the two (no annotation, too small) before looking for their files
        assertThat(new CocoDatasetFactory()
                        .create(config, new DatasetContext(dir, true, 0))
                        .size())
                .isEqualTo(1);

        Path many = json("many.json", manyImages(9));
        assertThatThrownBy(() -> load(many, "imgs", false))
                .hasMessageContaining(": 9 of 9 images are missing from ")
                .hasMessageContaining(": 0.jpg, 1.jpg, 2.jpg, 3.jpg, 4.jpg and 4 more (skipBadImages");
        assertThatThrownBy(() -> load(many, "nowhere", false))
                .isInstanceOf(UserException.class)
                .hasMessage("image directory " + dir.resolve("nowhere") + " of " + many + " does not exist");
    }

    @Test
    void skipBadImagesLeavesMissingImagesOutAndSaysHowManyOnOneLine() throws IOException {
        Path images = Files.createDirectories(dir.resolve("imgs"));
        TestImages.solid(images.resolve("a.jpg"), 100, 80, 0x336699);
        json("instances.json", GOOD);
        PrintStream stderr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        CocoDataset ds;
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            ds = (CocoDataset) load(Path.of("instances.json"), "imgs", true);
        } finally {
            System.setErr(stderr);
        }
        assertThat(ds.size()).isEqualTo(1);
        assertThat(ds.annotations(0).image().id()).isEqualTo(42);
        assertThat(ds.loadSummary()).contains("1 images (0 filtered, 2 missing skipped of 3)");
        assertThat(captured.toString(StandardCharsets.UTF_8).lines().toList())
                .containsExactly("retinanet: "
                        + dir.resolve("instances.json") + ": skipped 2 of 3 images missing from " + images
                        + " (skipBadImages): empty.jpg, small.png");
    }

    @Test
    void evaluationNeedsNoImageFilesNorFileNamesButReadingImagesDoes() throws IOException {
        Path file = json("gt.json", """
                {"images": [{"id": 1, "width": 64, "height": 48}],
                 "categories": [{"id": 1, "name": "box"}],
                 "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [4, 4, 20, 20], "area": 400}]}
                """);
        CocoDatasetConfig config = new CocoDatasetConfig("gt.json", "nowhere", null, null, null);
        DetectionDataset gt = new CocoDatasetFactory().create(config, new DatasetContext(dir, false, 0, false));
        assertThat(gt.annotations(0).image()).isEqualTo(new ImageInfo(1, null, 64, 48));
        assertThat(gt.annotations(0).boxes()).hasSize(1);
        assertThatThrownBy(() -> gt.image(0)).isInstanceOf(IOException.class).hasMessageContaining("no 'file_name'");
        for (boolean training : new boolean[] {true, false}) {
            assertThatThrownBy(() -> new CocoDatasetFactory().create(config, new DatasetContext(dir, training, 0)))
                    .isInstanceOf(UserException.class)
                    .hasMessage(
                            file + " line 1 column 13: image 1 has no 'file_name', which is needed to read the image"
                                    + " (only evaluation does without)");
        }
    }

    private DetectionDataset load(Path file, String images, boolean skipBadImages) {
        return new CocoDatasetFactory()
                .create(
                        new CocoDatasetConfig(file.toString(), images, false, 0, skipBadImages),
                        new DatasetContext(dir, false, 0));
    }

    /** {@code n} images 0.jpg, 1.jpg, ... without annotations. */
    private static String manyImages(int n) {
        StringBuilder sb = new StringBuilder("{\"categories\": [{\"id\": 1}], \"annotations\": [], \"images\": [");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ", ")
                    .append("{\"id\": ")
                    .append(i)
                    .append(", \"file_name\": \"")
                    .append(i)
                    .append(".jpg\", \"width\": 8, \"height\": 8}");
        }
        return sb.append("]}").toString();
    }

    @Test
    void malformedJsonReportsFileLineAndColumn() throws IOException {
        Path file = json("bad.json", "{\"images\": [\n  {\"id\": 1, \"file_name\": \"a.jpg\" \"width\": 3}\n]}");
        assertThatThrownBy(() -> load(file, false))
                .isInstanceOf(UserException.class)
                .hasMessageStartingWith("malformed JSON in " + file + " at line 2 column ")
                .hasMessageNotContaining("\n");
    }

    @Test
    void badAnnotationsAreOneClearLineEach() throws IOException {
        String head = "{\"images\": [{\"id\": 1, \"file_name\": \"a.jpg\", \"width\": 10, \"height\": 10}],\n"
                + "\"categories\": [{\"id\": 1, \"name\": \"x\"}],\n\"annotations\": [\n";
        Path arity = json(
                "arity.json",
                head + "  {\"id\": 5, \"image_id\": 1, \"category_id\": 1, \"bbox\": [1, 2, 3], \"area\": 1}\n]}");
        assertThatThrownBy(() -> load(arity, false))
                .isInstanceOf(UserException.class)
                .hasMessage(arity + " line 4 column 3: annotation 5: bbox has 3 values, expected 4 [x, y, w, h]");
        Path image = json(
                "image.json",
                head + "{\"id\": 6, \"image_id\": 99, \"category_id\": 1, \"bbox\": [1, 2, 3, 4], \"area\": 1}\n]}");
        assertThatThrownBy(() -> load(image, false))
                .isInstanceOf(UserException.class)
                .hasMessage(image + " line 4 column 1: annotation 6 refers to unknown image id 99");
        Path category = json(
                "category.json",
                head + "{\"id\": 7, \"image_id\": 1, \"category_id\": 2, \"bbox\": [1, 2, 3, 4], \"area\": 1}\n]}");
        assertThatThrownBy(() -> load(category, false))
                .isInstanceOf(UserException.class)
                .hasMessage(category + " line 4 column 1: annotation 7 refers to unknown category id 2");
        Path missing = dir.resolve("nope.json");
        assertThatThrownBy(() -> load(missing, false))
                .isInstanceOf(UserException.class)
                .hasMessage("COCO annotation file not found: " + missing);
    }

    @Test
    void aValSizedFileParsesCorrectly() throws IOException {
        // the shape of val2017: 5,000 images, 80 categories with COCO's gappy ids, 36,781 annotations with polygons
        int images = 5000;
        int annotations = 36781;
        StringBuilder sb = new StringBuilder(8 << 20);
        sb.append("{\"images\": [");
        for (int i = 0; i < images; i++) {
            sb.append(i == 0 ? "" : ",")
                    .append("{\"id\": ")
                    .append(1000 + 3 * i)
                    .append(", \"file_name\": \"")
                    .append(String.format("%012d.jpg", 1000 + 3 * i))
                    .append("\", \"width\": 640, \"height\": 480, \"license\": 3}");
        }
        sb.append("],\n\"categories\": [");
        for (int c = 0; c < 80; c++) {
            sb.append(c == 0 ? "" : ",")
                    .append("{\"supercategory\": \"s\", \"id\": ")
                    .append(90 - c)
                    .append(", \"name\": \"c")
                    .append(90 - c)
                    .append("\"}");
        }
        sb.append("],\n\"annotations\": [");
        for (int a = 0; a < annotations; a++) {
            int image = (a * 7919) % images;
            double x = a % 500 + 0.25;
            double w = 1 + a % 97;
            sb.append(a == 0 ? "" : ",\n")
                    .append("{\"segmentation\": [[1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5]], \"area\": ")
                    .append(w * 10)
                    .append(", \"iscrowd\": ")
                    .append(a % 100 == 0 ? 1 : 0)
                    .append(", \"image_id\": ")
                    .append(1000 + 3 * image)
                    .append(", \"bbox\": [")
                    .append(x)
                    .append(", 7, ")
                    .append(w)
                    .append(", 10], \"category_id\": ")
                    .append(11 + a % 80)
                    .append(", \"id\": ")
                    .append(900000 + a)
                    .append("}");
        }
        sb.append("]}");
        Path file = json("instances_val.json", sb.toString());

        CocoDataset ds = (CocoDataset) load(file, false);
        assertThat(ds.size()).isEqualTo(images);
        assertThat(ds.categories()).hasSize(80);
        assertThat(ds.categories().get(0).datasetId()).isEqualTo(11);
        assertThat(ds.droppedAnnotations()).isZero();
        int total = 0;
        for (int i = 0; i < ds.size(); i++) {
            total += ds.annotations(i).boxes().size();
        }
        assertThat(total).isEqualTo(annotations);
        int a = 12345;
        int image = (a * 7919) % images;
        GtBox box = ds.annotations(image).boxes().stream()
                .filter(b -> b.id() == 900000 + a)
                .findFirst()
                .orElseThrow();
        double w = 1 + a % 97;
        assertThat(box)
                .isEqualTo(new GtBox(
                        900000 + a, a % 500 + 0.25, 7, a % 500 + 0.25 + w, 17, (11 + a % 80) - 11, false, w * 10));
        assertThat(ds.annotations(image).image().id()).isEqualTo(1000 + 3 * image);
        // image 0 holds annotations 0, 5000, ..., 35000: all multiples of 100, so all crowd
        assertThat(ds.annotations(0).boxes()).hasSize(8).allMatch(GtBox::ignore);
        long start = System.nanoTime();
        CocoFile again = CocoFile.read(file);
        System.out.printf(
                "parsed %d annotations (%.1f MB) in %.0f ms%n",
                again.annotationCount(), Files.size(file) / 1e6, (System.nanoTime() - start) / 1e6);
    }

    @Test
    void skipBadImagesInTheDatasetConfigMakesTheLoaderSkipAndReport() throws IOException {
        Path images = Files.createDirectories(dir.resolve("imgs"));
        TestImages.solid(images.resolve("a.jpg"), 100, 80, 0x336699);
        TestImages.solid(images.resolve("empty.jpg"), 64, 48, 0x336699);
        Files.write(
                images.resolve("small.png"),
                TestImages.truncated(TestImages.encode(TestImages.halves(30, 20), "png"), 0.5));
        json("instances.json", GOOD);
        var context = new DatasetContext(dir, false, 0);
        var pipeline = new org.retinanet.datasets.pipeline.StandardPipelineFactory()
                .create(
                        org.retinanet.datasets.pipeline.StandardPipelineConfig.defaults(),
                        new org.retinanet.api.data.PipelineContext(
                                false, 2, 2, 0, org.retinanet.api.data.InputNormalization.pytorch()));
        DetectionDataset strict = new CocoDatasetFactory()
                .create(new CocoDatasetConfig("instances.json", "imgs", null, null, null), context);
        try (var it = pipeline.epoch(strict, 0, 0)) {
            assertThat(it.next().size()).isEqualTo(2);
            assertThatThrownBy(it::next)
                    .isInstanceOf(UserException.class)
                    .hasMessageContaining(images.resolve("small.png").toString());
        }
        DetectionDataset lenient = new CocoDatasetFactory()
                .create(new CocoDatasetConfig("instances.json", "imgs", null, null, true), context);
        try (var it = pipeline.epoch(lenient, 0, 0)) {
            var first = it.next();
            assertThat(first.metas()).extracting(m -> m.imageId()).containsExactly(42L, 9L);
            assertThat(first.width()).isEqualTo(1088); // 100x80 -> 1000x800, 64x48 -> 1067x800; 1067 padded to 34 * 32
            assertThat(first.height()).isEqualTo(800);
            assertThat(it.hasNext()).isFalse();
            assertThat(it.skipped())
                    .hasSize(1)
                    .allMatch(m -> m.contains(images.resolve("small.png").toString()));
        }
    }
}
