package org.retinanet.api.data;

/**
 * Transforms and batching for one dataset split: resize, flip, normalise, pad, group by aspect
 * ratio, decode in parallel and prefetch. Epoch order and augmentation are a pure function of
 * (seed, epoch), so a run resumed at batch b of epoch e sees exactly the batches it would have.
 */
public interface BatchPipeline {

    /** Batches in one epoch of {@code dataset} (the last partial batch is kept at test time). */
    int batchesPerEpoch(DetectionDataset dataset);

    /** The batches of {@code epoch}, skipping the first {@code skipBatches}; close to stop workers. */
    BatchIterator epoch(DetectionDataset dataset, int epoch, int skipBatches);
}
