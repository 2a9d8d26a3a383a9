package org.retinanet.datasets.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.retinanet.api.data.BatchIterator;
import org.retinanet.api.data.BatchPipeline;
import org.retinanet.api.data.Category;
import org.retinanet.api.data.DecodedImage;
import org.retinanet.api.data.DetectionDataset;
import org.retinanet.api.data.GtBox;
import org.retinanet.api.data.HostBatch;
import org.retinanet.api.data.ImageAnnotations;
import org.retinanet.api.data.ImageInfo;
import org.retinanet.api.data.ImageMeta;
import org.retinanet.api.data.InputNormalization;
import org.retinanet.api.data.PipelineContext;
import org.retinanet.api.registry.UserException;

class LoaderTest {

    /** Images of varied sizes (wide and tall), one box each; image {@code bad} fails to decode. */
    static final class SizedDataset implements DetectionDataset {
        final int n;
        final int bad;

        SizedDataset(int n, int bad) {
            this.n = n;
            this.bad = bad;
        }

        int width(int i) {
            return i % 3 == 0 ? 40 + i % 7 : 70 + 3 * (i % 5);
        }

        int height(int i) {
            return i % 3 == 0 ? 70 + i % 4 : 45 + i % 6;
        }

        @Override
        public String name() {
            return "sized";
        }

        @Override
        public List<Category> categories() {
            return List.of(new Category(0, 1, "thing"));
        }

        @Override
        public int size() {
            return n;
        }

        @Override
        public ImageAnnotations annotations(int index) {
            return new ImageAnnotations(
                    new ImageInfo(100 + index, null, width(index), height(index)),
                    List.of(new GtBox(index, 2, 3, 20, 30, 0, false, 486)));
        }

        @Override
        public DecodedImage image(int index) throws IOException {
            if (index == bad) {
                throw new IOException("truncated image file /data/img" + index + ".jpg");
            }
            int w = width(index);
            int h = height(index);
            byte[] rgb = new byte[w * h * 3];
            for (int i = 0; i < rgb.length; i++) {
                rgb[i] = (byte) (i * 31 + index * 17);
            }
            return new DecodedImage(w, h, rgb);
        }
    }

    private static StandardPipelineConfig config(List<Integer> shortRange, Boolean skipBad) {
        // small scales keep the test fast: long side 96, short side 64
        return new StandardPipelineConfig(
                List.of(96, 64), null, shortRange, null, null, null, null, null, null, skipBad);
    }

    private static BatchPipeline pipeline(boolean training, int batch, int workers, StandardPipelineConfig config) {
        return new StandardPipelineFactory()
                .create(config, new PipelineContext(training, batch, workers, 42, InputNormalization.pytorch()));
    }

    private static List<HostBatch> drain(BatchIterator it) {
        List<HostBatch> out = new ArrayList<>();
        try (it) {
            while (it.hasNext()) {
                out.add(it.next());
            }
        }
        return out;
    }

    private static void assertSameBatches(List<HostBatch> a, List<HostBatch> b) {
        assertThat(a).hasSameSizeAs(b);
        for (int i = 0; i < a.size(); i++) {
            assertThat(a.get(i).metas()).isEqualTo(b.get(i).metas());
            assertThat(a.get(i).pixels()).isEqualTo(b.get(i).pixels());
            assertThat(a.get(i).height()).isEqualTo(b.get(i).height());
            for (int j = 0; j < a.get(i).size(); j++) {
                assertThat(a.get(i).targets().get(j).boxes())
                        .isEqualTo(b.get(i).targets().get(j).boxes());
            }
        }
    }

    private static List<Long> ids(List<HostBatch> batches) {
        return batches.stream()
                .flatMap(b -> b.metas().stream())
                .map(ImageMeta::imageId)
                .toList();
    }

    @Test
    void trainingEpochsAreAPureFunctionOfSeedAndEpoch() {
        SizedDataset ds = new SizedDataset(23, -1);
        BatchPipeline p = pipeline(true, 4, 2, config(List.of(48, 64), false));
        List<HostBatch> a = drain(p.epoch(ds, 3, 0));
        List<HostBatch> b =
                drain(pipeline(true, 4, 1, config(List.of(48, 64), false)).epoch(ds, 3, 0));
        assertSameBatches(a, b); // also independent of the number of workers
        List<HostBatch> other = drain(p.epoch(ds, 4, 0));
        assertThat(ids(other)).isNotEqualTo(ids(a));
        // every image exactly once per epoch
        assertThat(new HashSet<>(ids(a))).hasSize(23);
        assertThat(ids(a)).hasSize(23);
        assertThat(p.batchesPerEpoch(ds)).isEqualTo(a.size());
        // random flips and multi-scale short sides in [48, 64] do happen
        List<ImageMeta> metas = a.stream().flatMap(x -> x.metas().stream()).toList();
        assertThat(metas).anyMatch(ImageMeta::flipped).anyMatch(m -> !m.flipped());
        Set<Integer> shorts = new HashSet<>();
        for (ImageMeta m : metas) {
            int shortSide = Math.min(m.width(), m.height());
            assertThat(shortSide).isBetween(46, 64); // long-side limit 96 may bind first
            shorts.add(shortSide);
        }
        assertThat(shorts.size()).isGreaterThan(3);
    }

    @Test
    void batchesGroupByAspectRatioAndPadToThe32Multiple() {
        SizedDataset ds = new SizedDataset(30, -1);
        List<HostBatch> batches =
                drain(pipeline(true, 4, 2, config(null, false)).epoch(ds, 0, 0));
        int partial = 0;
        for (HostBatch b : batches) {
            boolean tall = b.metas().get(0).originalWidth() < b.metas().get(0).originalHeight();
            assertThat(b.metas()).allMatch(m -> (m.originalWidth() < m.originalHeight()) == tall);
            partial += b.size() < 4 ? 1 : 0;
            int maxW = b.metas().stream().mapToInt(ImageMeta::width).max().orElseThrow();
            int maxH = b.metas().stream().mapToInt(ImageMeta::height).max().orElseThrow();
            assertThat(b.width() % 32).isZero();
            assertThat(b.height() % 32).isZero();
            assertThat(b.width()).isBetween(maxW, maxW + 31);
            assertThat(b.height()).isBetween(maxH, maxH + 31);
            assertThat(b.pixels()).hasSize(b.size() * 3 * b.height() * b.width());
            // padding (right of / below each valid region) is zero, the valid region is not
            for (int i = 0; i < b.size(); i++) {
                ImageMeta m = b.metas().get(i);
                for (int c = 0; c < 3; c++) {
                    int base = (i * 3 + c) * b.height() * b.width();
                    if (m.width() < b.width()) {
                        assertThat(b.pixels()[base + (m.height() - 1) * b.width() + m.width()])
                                .isZero();
                    }
                    if (m.height() < b.height()) {
                        assertThat(b.pixels()[base + m.height() * b.width()]).isZero();
                    }
                    assertThat(b.pixels()[base]).isNotZero();
                }
                assertThat(m.scaleX()).isEqualTo((double) m.width() / m.originalWidth());
                assertThat(m.scaleY()).isEqualTo((double) m.height() / m.originalHeight());
            }
        }
        assertThat(partial).isLessThanOrEqualTo(2); // one leftover per aspect group at most
    }

    @Test
    void boxTargetsAreInResizedFlippedCoordinates() {
        SizedDataset ds = new SizedDataset(12, -1);
        for (HostBatch b : drain(pipeline(true, 3, 2, config(null, false)).epoch(ds, 1, 0))) {
            for (int i = 0; i < b.size(); i++) {
                ImageMeta m = b.metas().get(i);
                float[] box = b.targets().get(i).boxes();
                double x1 = 2 * m.scaleX();
                double x2 = 20 * m.scaleX();
                if (m.flipped()) {
                    double t = m.width() - x2;
                    x2 = m.width() - x1;
                    x1 = t;
                }
                assertThat(box)
                        .containsExactly((float) x1, (float) (3 * m.scaleY()), (float) x2, (float) (30 * m.scaleY()));
            }
        }
    }

    @Test
    void resumingWithSkipBatchesGivesTheTailOfTheEpoch() {
        SizedDataset ds = new SizedDataset(21, -1);
        BatchPipeline p = pipeline(true, 2, 2, config(List.of(48, 64), false));
        List<HostBatch> full = drain(p.epoch(ds, 7, 0));
        List<HostBatch> tail = drain(p.epoch(ds, 7, 4));
        assertSameBatches(tail, full.subList(4, full.size()));
        assertThat(drain(p.epoch(ds, 7, full.size()))).isEmpty();
    }

    @Test
    void testingKeepsDatasetOrderAndTheLastPartialBatchWithoutAugmentation() {
        SizedDataset ds = new SizedDataset(7, -1);
        BatchPipeline p = pipeline(false, 3, 2, config(List.of(48, 64), false));
        List<HostBatch> batches = drain(p.epoch(ds, 0, 0));
        assertThat(batches).extracting(HostBatch::size).containsExactly(3, 3, 1);
        assertThat(ids(batches)).containsExactly(100L, 101L, 102L, 103L, 104L, 105L, 106L);
        assertThat(p.batchesPerEpoch(ds)).isEqualTo(3);
        for (HostBatch b : batches) {
            for (ImageMeta m : b.metas()) {
                assertThat(m.flipped()).isFalse();
                int[] expected = ResizeRule.keepRatio(m.originalWidth(), m.originalHeight(), 96, 64, false);
                assertThat(new int[] {m.width(), m.height()}).containsExactly(expected);
            }
        }
    }

    @Test
    void aBadImageFailsNamingTheFileOrIsSkippedAndReported() {
        SizedDataset ds = new SizedDataset(9, 4);
        BatchIterator it = pipeline(false, 2, 2, config(null, false)).epoch(ds, 0, 0);
        assertThatThrownBy(() -> drain(it))
                .isInstanceOf(UserException.class)
                .hasMessage("truncated image file /data/img4.jpg");
        try (BatchIterator skipping = pipeline(false, 2, 2, config(null, true)).epoch(ds, 0, 0)) {
            List<HostBatch> batches = new ArrayList<>();
            skipping.forEachRemaining(batches::add);
            assertThat(ids(batches)).hasSize(8).doesNotContain(104L);
            assertThat(skipping.skipped()).containsExactly("truncated image file /data/img4.jpg");
        }
        // a batch whose only image is bad disappears; the epoch goes on
        SizedDataset single = new SizedDataset(3, 1);
        try (BatchIterator skipping = pipeline(false, 1, 2, config(null, true)).epoch(single, 0, 0)) {
            List<HostBatch> batches = new ArrayList<>();
            skipping.forEachRemaining(batches::add);
            assertThat(ids(batches)).containsExactly(100L, 102L);
        }
    }

    @Test
    void closeStopsTheWorkerThreads() throws InterruptedException {
        SizedDataset ds = new SizedDataset(40, -1);
        BatchIterator it = pipeline(true, 2, 3, config(null, false)).epoch(ds, 0, 0);
        it.next();
        assertThat(loaderThreads()).isPositive();
        it.close(); // mid-epoch, with batches in flight
        assertThat(loaderThreads()).isZero();
        assertThatThrownBy(it::next).isInstanceOf(java.util.NoSuchElementException.class);
        // an exhausted iterator stops its threads even without close()
        BatchIterator drained = pipeline(false, 4, 2, config(null, false)).epoch(ds, 0, 0);
        drained.forEachRemaining(b -> {});
        assertThat(loaderThreads()).isZero();
    }

    private static long loaderThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(ParallelBatchIterator.THREAD_PREFIX))
                .count();
    }

    @Test
    void hostBatchesBecomeEngineTensors() {
        SizedDataset ds = new SizedDataset(4, -1);
        List<HostBatch> batches =
                drain(pipeline(false, 4, 2, config(null, false)).epoch(ds, 0, 0));
        HostBatch b = batches.get(0);
        try (ai.djl.ndarray.NDManager manager = ai.djl.ndarray.NDManager.newBaseManager()) {
            var batch = b.toDevice(manager, manager.getDevice());
            assertThat(batch.images().getShape())
                    .isEqualTo(new ai.djl.ndarray.types.Shape(4, 3, b.height(), b.width()));
            float[] values = batch.images().toFloatArray();
            assertThat(values).isEqualTo(b.pixels());
        }
    }
}
