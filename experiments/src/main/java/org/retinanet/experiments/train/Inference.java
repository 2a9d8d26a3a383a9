package org.retinanet.experiments.train;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import org.retinanet.api.data.BatchIterator;
import org.retinanet.api.data.BatchPipeline;
import org.retinanet.api.data.Detection;
import org.retinanet.api.data.DetectionDataset;
import org.retinanet.api.data.HostBatch;
import org.retinanet.experiments.model.Detector;

/** Runs a detector over a whole dataset with the test-time pipeline, one child manager per batch. */
public final class Inference {

    private Inference() {}

    public static List<Detection> detectAll(
            Detector detector,
            ParameterStore ps,
            DetectionDataset dataset,
            BatchPipeline pipeline,
            NDManager manager,
            Device device) {
        return detectAll(detector, ps, dataset, pipeline, manager, device, DataType.FLOAT32);
    }

    /** As above, the forward pass in {@code compute} ({@code ps} hands out weights of that type). */
    public static List<Detection> detectAll(
            Detector detector,
            ParameterStore ps,
            DetectionDataset dataset,
            BatchPipeline pipeline,
            NDManager manager,
            Device device,
            DataType compute) {
        List<Detection> all = new ArrayList<>();
        try (BatchIterator it = pipeline.epoch(dataset, 0, 0)) {
            while (it.hasNext()) {
                HostBatch host = it.next();
                try (NDManager batchManager = manager.newSubManager(device)) {
                    for (List<Detection> perImage : detector.detect(ps, host.toDevice(batchManager, device), compute)) {
                        all.addAll(perImage);
                    }
                }
            }
        }
        return all;
    }
}
