package org.retinanet.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.retinanet.api.config.DatasetConfig;
import org.retinanet.api.data.BatchIterator;
import org.retinanet.api.data.BatchPipeline;
import org.retinanet.api.data.DatasetContext;
import org.retinanet.api.data.DetectionDataset;
import org.retinanet.api.data.HostBatch;
import org.retinanet.api.data.ImageMeta;
import org.retinanet.api.model.LossOutput;
import org.retinanet.api.model.TorchNames;
import org.retinanet.api.nn.TensorCopy;
import org.retinanet.api.registry.UserException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code retinanet loss}: the training losses of a detector on annotated images, with the
 * test-time pipeline (no random augmentation) and without updating anything.
 *
 * <p>The forward runs as in training (BatchNorm layers that train use batch statistics); running
 * statistics are restored after every batch and no gradient is recorded, so the weights are left
 * exactly as loaded. Values are averaged over batches; batches with a non-finite value are listed
 * with their images.
 */
@Command(
        name = "loss",
        mixinStandardHelpOptions = true,
        description = "Print the training losses (classification, box, total) of a detector on COCO-annotated images,"
                + " without updating it: the first look when a loss goes NaN.")
final class LossCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @ParentCommand
    RootCommand root;

    @Mixin
    ConfigOptions configOptions;

    @Mixin
    WeightsOption weightsOption;

    @Option(names = "--annotations", required = true, paramLabel = "FILE", description = "COCO instances JSON.")
    Path annotations;

    @Option(names = "--images", required = true, paramLabel = "DIR", description = "Directory of the annotated images.")
    Path imagesDir;

    @Option(
            names = "--batch-size",
            paramLabel = "N",
            description = "Images per batch (default 1: one value per image).")
    int batchSize = 1;

    @Option(names = "--json", description = "Machine-readable output, with the value of every batch.")
    boolean json;

    @Mixin
    DeviceOption deviceOption;

    /** The losses of one batch. */
    record BatchLoss(List<Long> imageIds, List<String> files, Map<String, Double> values, Double numPositives) {
        boolean finite() {
            return values.values().stream().allMatch(Double::isFinite);
        }
    }

    /** Mean losses over the batches and the value of each. */
    record Summary(int images, Map<String, Double> mean, List<BatchLoss> batches) {
        List<BatchLoss> nonFinite() {
            return batches.stream().filter(b -> !b.finite()).toList();
        }
    }

    @Override
    public Integer call() throws Exception {
        if (batchSize < 1) {
            throw new UserException("--batch-size must be >= 1, got " + batchSize);
        }
        var registry = root.registry();
        try (LoadedModel model = LoadedModel.open(
                registry,
                configOptions.required(),
                configOptions.overrides,
                weightsOption.weights,
                deviceOption.device)) {
            Summary summary = run(model, annotations, imagesDir, batchSize);
            print(summary);
            return 0;
        }
    }

    /** Losses of {@code model} on the annotated images; the model's parameters are unchanged afterwards. */
    static Summary run(LoadedModel model, Path annotations, Path imagesDir, int batchSize) {
        DetectionDataset dataset = cocoDataset(model, annotations, imagesDir);
        int classes = model.detector.head().numClasses();
        if (dataset.categories().size() > classes) {
            throw new UserException(
                    "annotations " + annotations + ": " + dataset.categories().size() + " categories but the model has "
                            + classes + " classes (model.numClasses)");
        }
        if (dataset.size() == 0) {
            throw new UserException("annotations " + annotations + ": no images");
        }
        BatchPipeline pipeline = model.testPipeline(batchSize);
        Map<String, Parameter> runningStats = runningStatistics(model);
        List<BatchLoss> batches = new ArrayList<>();
        try (BatchIterator it = pipeline.epoch(dataset, 0, 0)) {
            while (it.hasNext()) {
                HostBatch host = it.next();
                batches.add(batchLoss(model, host, dataset, runningStats));
            }
        }
        Map<String, Double> mean = new LinkedHashMap<>();
        for (BatchLoss b : batches) {
            b.values().forEach((k, v) -> mean.merge(k, v / batches.size(), Double::sum));
        }
        return new Summary(dataset.size(), mean, batches);
    }

    private static BatchLoss batchLoss(
            LoadedModel model, HostBatch host, DetectionDataset dataset, Map<String, Parameter> runningStats) {
        try (NDManager step = model.manager.newSubManager(model.device)) {
            Map<String, NDArray> saved = new LinkedHashMap<>();
            runningStats.forEach((k, p) -> saved.put(k, p.getArray().duplicate().toDevice(model.device, false)));
            saved.values().forEach(a -> a.attach(step));
            LossOutput out;
            Map<String, Double> values = new LinkedHashMap<>();
            try {
                out = model.detector.loss(model.parameterStore, host.toDevice(step, model.device), true);
                double total = 0;
                for (Map.Entry<String, NDArray> e : out.components().entrySet()) {
                    double v = scalar(e.getValue());
                    values.put(e.getKey(), v);
                    total += v;
                }
                values.put("total", total);
            } finally {
                // training-mode BatchNorm updated its running statistics in place: put them back
                saved.forEach((k, a) -> TensorCopy.into(runningStats.get(k).getArray(), a));
            }
            NDArray pos = out.diagnostics().get("num_pos");
            List<Long> ids = host.metas().stream().map(ImageMeta::imageId).toList();
            List<String> files = new ArrayList<>();
            for (long id : ids) {
                files.add(fileOf(dataset, id));
            }
            return new BatchLoss(ids, files, values, pos == null ? null : scalar(pos.sum()));
        }
    }

    private static Map<String, Parameter> runningStatistics(LoadedModel model) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        TorchNames.parameters(model.detector).forEach((k, p) -> {
            if (k.endsWith("running_mean") || k.endsWith("running_var")) {
                out.put(k, p);
            }
        });
        return out;
    }

    private static double scalar(NDArray a) {
        return a.toType(DataType.FLOAT64, false).getDouble();
    }

    private static String fileOf(DetectionDataset dataset, long imageId) {
        for (int i = 0; i < dataset.size(); i++) {
            if (dataset.annotations(i).image().id() == imageId) {
                return dataset.annotations(i).image().file().getFileName().toString();
            }
        }
        return "?";
    }

    static DetectionDataset cocoDataset(LoadedModel model, Path annotations, Path imagesDir) {
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("type", "coco");
        tree.put("annotations", annotations.toAbsolutePath().toString());
        tree.put("images", imagesDir.toAbsolutePath().toString());
        tree.put("filterEmpty", false);
        tree.put("minSize", 0);
        DatasetConfig cfg = model.registry.mapper().convertValue(tree, DatasetConfig.class);
        return model.registry.dataset(
                cfg,
                new DatasetContext(
                        Path.of("").toAbsolutePath(),
                        false,
                        model.experiment.config().seed()));
    }

    private void print(Summary s) throws Exception {
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("images", s.images());
            out.put("batches", s.batches().size());
            out.putAll(s.mean());
            out.put("nonFinite", s.nonFinite().stream().map(b -> b.files()).toList());
            out.put("perBatch", s.batches());
            System.out.println(JSON.writeValueAsString(out));
            return;
        }
        System.out.printf(
                "losses on %d image(s), %d batch(es) of up to %d, test-time pipeline, weights unchanged:%n",
                s.images(), s.batches().size(), batchSize);
        s.mean().forEach((k, v) -> System.out.printf("  %-10s %.6f%n", k, v));
        for (BatchLoss b : s.nonFinite()) {
            System.out.println("non-finite loss on " + String.join(", ", b.files()) + " (image id " + b.imageIds()
                    + "): " + b.values()
                    + (b.numPositives() == null
                            ? ""
                            : ", positive anchors " + b.numPositives().longValue()));
        }
    }
}
