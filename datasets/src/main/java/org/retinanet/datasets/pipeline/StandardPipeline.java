package org.retinanet.datasets.pipeline;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import org.retinanet.api.data.BatchIterator;
import org.retinanet.api.data.BatchPipeline;
import org.retinanet.api.data.DetectionDataset;
import org.retinanet.api.data.PipelineContext;
import org.retinanet.datasets.BadImagePolicy;

/** mmdetection's RetinaNet data pipeline: Resize(keep_ratio) → RandomFlip → normalise → pad, batched in parallel. */
public final class StandardPipeline implements BatchPipeline {

    private final StandardPipelineConfig config;
    private final PipelineContext context;
    private final double flipProbability;

    public StandardPipeline(StandardPipelineConfig config, PipelineContext context) {
        if (context.batchSize() < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + context.batchSize());
        }
        this.config = config;
        this.context = context;
        this.flipProbability =
                config.flipProbability() != null ? config.flipProbability() : (context.training() ? 0.5 : 0.0);
    }

    /** Aspect flags per dataset, computed once: they need every image's annotations. */
    private final Map<DetectionDataset, boolean[]> tallFlags = Collections.synchronizedMap(new WeakHashMap<>());

    private boolean[] tallFlags(DetectionDataset dataset) {
        if (!context.training()) {
            return null;
        }
        boolean[] flags = tallFlags.computeIfAbsent(dataset, EpochPlan::tallFlags);
        return flags.length == dataset.size() ? flags : EpochPlan.tallFlags(dataset);
    }

    @Override
    public int batchesPerEpoch(DetectionDataset dataset) {
        return EpochPlan.count(dataset.size(), tallFlags(dataset), context.batchSize());
    }

    @Override
    public BatchIterator epoch(DetectionDataset dataset, int epoch, int skipBatches) {
        if (skipBatches < 0) {
            throw new IllegalArgumentException("skipBatches must be >= 0, got " + skipBatches);
        }
        List<int[]> plan =
                EpochPlan.batches(dataset.size(), tallFlags(dataset), context.batchSize(), context.seed(), epoch);
        boolean skipBad = config.skipBadImages() || (dataset instanceof BadImagePolicy p && p.skipBadImages());
        BatchBuilder builder = new BatchBuilder(
                dataset, config, context.training(), context.seed(), flipProbability, context.normalization(), skipBad);
        int workers = Math.max(1, context.workers());
        int prefetch = config.prefetch() != null ? config.prefetch() : 2 * workers;
        return new ParallelBatchIterator(plan, skipBatches, epoch, builder, workers, prefetch);
    }

    /** The flip probability in effect (config, or 0.5 for training and 0 for testing). */
    public double flipProbability() {
        return flipProbability;
    }
}
