package org.retinanet.datasets.pipeline;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.retinanet.api.data.BoxTargets;
import org.retinanet.api.data.DecodedImage;
import org.retinanet.api.data.DetectionDataset;
import org.retinanet.api.data.HostBatch;
import org.retinanet.api.data.ImageAnnotations;
import org.retinanet.api.data.ImageMeta;
import org.retinanet.api.data.InputNormalization;
import org.retinanet.api.registry.UserException;
import org.retinanet.datasets.Seeds;

/**
 * Turns the images of one batch into a {@link HostBatch}: decode, draw the augmentation from
 * (seed, epoch, index), resize, flip, normalise, and pad bottom/right with zeros (after
 * normalisation, as mmdetection's data preprocessor) to the largest size in the batch rounded up
 * to the size divisor. Stateless apart from its settings, so workers share one instance.
 */
final class BatchBuilder {

    /** Where undecodable images go when they are skipped. */
    interface SkipSink {
        void skipped(String reason);
    }

    private final DetectionDataset dataset;
    private final StandardPipelineConfig config;
    private final boolean training;
    private final long seed;
    private final double flipProbability;
    private final InputNormalization normalization;
    private final boolean skipBadImages;

    BatchBuilder(
            DetectionDataset dataset,
            StandardPipelineConfig config,
            boolean training,
            long seed,
            double flipProbability,
            InputNormalization normalization,
            boolean skipBadImages) {
        this.dataset = dataset;
        this.config = config;
        this.training = training;
        this.seed = seed;
        this.flipProbability = flipProbability;
        this.normalization = normalization;
        this.skipBadImages = skipBadImages;
    }

    private record Prepared(float[] pixels, ImageMeta meta, BoxTargets targets) {}

    /** The batch of {@code indices}, or null when every image in it was skipped. */
    HostBatch build(int[] indices, int epoch, SkipSink sink) {
        List<Prepared> images = new ArrayList<>(indices.length);
        for (int index : indices) {
            ImageAnnotations ann = dataset.annotations(index);
            DecodedImage image;
            try {
                image = dataset.image(index);
            } catch (IOException e) {
                if (skipBadImages) {
                    sink.skipped(e.getMessage());
                    continue;
                }
                throw new UserException(e.getMessage(), e);
            }
            images.add(prepare(index, epoch, ann, image));
        }
        if (images.isEmpty()) {
            return null;
        }
        int div = config.sizeDivisor();
        int maxH = 0;
        int maxW = 0;
        for (Prepared p : images) {
            maxH = Math.max(maxH, p.meta.height());
            maxW = Math.max(maxW, p.meta.width());
        }
        int height = (maxH + div - 1) / div * div;
        int width = (maxW + div - 1) / div * div;
        float[] pixels = new float[images.size() * 3 * height * width];
        List<ImageMeta> metas = new ArrayList<>(images.size());
        List<BoxTargets> targets = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            Prepared p = images.get(i);
            int w = p.meta.width();
            int h = p.meta.height();
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < h; y++) {
                    System.arraycopy(p.pixels, (c * h + y) * w, pixels, ((i * 3 + c) * height + y) * width, w);
                }
            }
            metas.add(p.meta);
            targets.add(p.targets);
        }
        return new HostBatch(pixels, height, width, metas, targets);
    }

    private Prepared prepare(int index, int epoch, ImageAnnotations ann, DecodedImage image) {
        SplittableRandom random = new SplittableRandom(Seeds.mix(seed, epoch, index));
        int[] limits = scaleFor(random);
        boolean flip = flipProbability > 0 && random.nextDouble() < flipProbability;
        int w = image.width();
        int h = image.height();
        int[] size = ResizeRule.keepRatio(
                w, h, limits[0], limits[1], config.rounding().equals("torchvision"));
        int nw = Math.max(1, size[0]);
        int nh = Math.max(1, size[1]);
        double sx = (double) nw / w;
        double sy = (double) nh / h;
        float[] pixels = ImageTransform.pixels(image, nw, nh, flip, normalization);
        BoxTargets targets = ImageTransform.boxes(ann.boxes(), sx, sy, nw, nh, flip);
        ImageMeta meta = new ImageMeta(ann.image().id(), w, h, nw, nh, sx, sy, flip);
        return new Prepared(pixels, meta, targets);
    }

    /** The (long, short) limits for one image: fixed at test time, drawn in training when configured. */
    private int[] scaleFor(SplittableRandom random) {
        List<Integer> fixed = config.scale();
        if (training && config.scales() != null) {
            List<Integer> s = config.scales().get(random.nextInt(config.scales().size()));
            return new int[] {s.get(0), s.get(1)};
        }
        if (training && config.shortRange() != null) {
            int lo = config.shortRange().get(0);
            int hi = config.shortRange().get(1);
            int longSide = Math.max(fixed.get(0), fixed.get(1));
            return new int[] {longSide, lo + random.nextInt(hi - lo + 1)};
        }
        return new int[] {fixed.get(0), fixed.get(1)};
    }
}
