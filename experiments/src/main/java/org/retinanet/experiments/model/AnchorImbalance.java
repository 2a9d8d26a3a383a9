package org.retinanet.experiments.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import org.retinanet.api.box.GridSize;
import org.retinanet.api.data.BatchIterator;
import org.retinanet.api.data.BatchPipeline;
import org.retinanet.api.data.DetectionDataset;
import org.retinanet.api.data.HostBatch;
import org.retinanet.api.data.PipelineContext;
import org.retinanet.api.model.HeadOutput;
import org.retinanet.api.model.LossOutput;
import org.retinanet.api.registry.Registry;
import org.retinanet.api.registry.UserException;
import org.retinanet.experiments.config.Experiment;
import org.retinanet.experiments.config.SplitConfig;

/**
 * The foreground:background anchor ratio of an experiment's training set, measured with the
 * experiment's own head: its anchors, its assigner and the training pipeline's resize, one image
 * at a time (the paper's Sec. 3 argument is about this ratio: ~1:1000 on COCO at 600 px).
 *
 * <p>Counts come from the head's loss diagnostics {@code num_pos} / {@code num_neg}, so they are
 * exactly what training sees; anchors that are neither are ignored (IoU in [neg, pos) or under an
 * ignore region). Assignment does not depend on the weights, so a freshly initialised detector is used.
 */
public final class AnchorImbalance {

    /** Per-image counts over the measured images. */
    public record Result(
            int images,
            long anchorsPerImage,
            long positives,
            long negatives,
            long ignored,
            int minPositives,
            int maxPositives,
            int imagesWithoutPositives) {

        /** Negatives per positive over all measured images (infinite when there is no positive). */
        public double negativesPerPositive() {
            return positives == 0 ? Double.POSITIVE_INFINITY : (double) negatives / positives;
        }

        public String summary() {
            return String.format(
                    "%d images, %,d anchors per image; per image: %.2f positive (min %d, max %d; %d images"
                            + " with none), %.1f negative, %.1f ignored; fg:bg = 1:%.0f",
                    images,
                    anchorsPerImage,
                    (double) positives / images,
                    minPositives,
                    maxPositives,
                    imagesWithoutPositives,
                    (double) negatives / images,
                    (double) ignored / images,
                    negativesPerPositive());
        }
    }

    private AnchorImbalance() {}

    /** Measures the first {@code maxImages} training images (all when the set is smaller). */
    public static Result measure(Experiment experiment, Registry registry, int maxImages) {
        if (maxImages < 1) {
            throw new UserException("imbalance: the number of images must be >= 1, got " + maxImages);
        }
        DetectionDataset dataset = experiment.trainDataset(registry);
        int numClasses = experiment.numClasses(registry);
        SplitConfig train = experiment.config().data().train();
        int n = Math.min(maxImages, dataset.size());
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            Detector detector = new DetectorBuilder(registry)
                    .buildAndInitialize(experiment.config().model(), numClasses, manager)
                    .detector();
            // the training resize and padding without random flips: counts do not depend on a coin
            BatchPipeline pipeline = registry.pipeline(
                    train.pipeline(),
                    new PipelineContext(
                            false,
                            1,
                            1,
                            experiment.config().seed(),
                            detector.backbone().inputNormalization()));
            ParameterStore ps = new ParameterStore(manager, false);
            Counter counter = new Counter();
            try (BatchIterator it = pipeline.epoch(dataset, 0, 0)) {
                for (int i = 0; i < n && it.hasNext(); i++) {
                    HostBatch host = it.next();
                    try (NDManager step = manager.newSubManager()) {
                        var batch = host.toDevice(step, Device.cpu());
                        HeadOutput outputs = new HeadOutput(detector.forward(ps, new NDList(batch.images()), false));
                        long anchors = 0;
                        for (GridSize grid : outputs.gridSizes()) {
                            anchors += (long) grid.height()
                                    * grid.width()
                                    * detector.head().anchorsPerLocation();
                        }
                        LossOutput loss = detector.head().loss(outputs, batch);
                        counter.add(anchors, count(loss, "num_pos"), count(loss, "num_neg"));
                    }
                }
            }
            return counter.result();
        }
    }

    private static long count(LossOutput loss, String key) {
        NDArray a = loss.diagnostics().get(key);
        if (a == null) {
            throw new IllegalStateException("the head's loss gives no '" + key + "' diagnostic to count anchors with");
        }
        return Math.round(a.toType(DataType.FLOAT64, false).getDouble());
    }

    /** Running totals; anchors per image must not change within a measured set of one image size. */
    private static final class Counter {
        private final List<Long> anchorCounts = new ArrayList<>();
        private long positives;
        private long negatives;
        private long ignored;
        private int min = Integer.MAX_VALUE;
        private int max;
        private int none;

        void add(long anchors, long pos, long neg) {
            anchorCounts.add(anchors);
            positives += pos;
            negatives += neg;
            ignored += anchors - pos - neg;
            min = (int) Math.min(min, pos);
            max = (int) Math.max(max, pos);
            none += pos == 0 ? 1 : 0;
        }

        Result result() {
            if (anchorCounts.isEmpty()) {
                throw new UserException("imbalance: the training set has no images");
            }
            long perImage = Math.round(
                    anchorCounts.stream().mapToLong(Long::longValue).average().orElse(0));
            return new Result(anchorCounts.size(), perImage, positives, negatives, ignored, min, max, none);
        }
    }
}
