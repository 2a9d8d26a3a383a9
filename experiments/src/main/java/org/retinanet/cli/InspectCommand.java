package org.retinanet.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.retinanet.api.registry.Registry;
import org.retinanet.experiments.Presets;
import org.retinanet.experiments.config.Experiment;
import org.retinanet.experiments.model.AnchorImbalance;
import org.retinanet.experiments.model.Detector;
import org.retinanet.experiments.model.DetectorBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code retinanet inspect}: the resolved config and the model's parameter counts. */
@Command(
        name = "inspect",
        mixinStandardHelpOptions = true,
        description =
                "Print the resolved config (after base: inheritance and --set) and parameter counts per component.")
final class InspectCommand implements Callable<Integer> {

    @ParentCommand
    RootCommand root;

    @Mixin
    ConfigOptions configOptions;

    @Option(names = "--json", description = "Machine-readable output.")
    boolean json;

    @Option(names = "--presets", description = "List the built-in presets.")
    boolean presets;

    @Option(names = "--no-model", description = "Only resolve the config; do not build the model.")
    boolean noModel;

    @Option(
            names = "--imbalance",
            paramLabel = "N",
            arity = "0..1",
            fallbackValue = "512",
            description = "Assign the head's anchors on the first N training images (default 512) and print"
                    + " anchors per image and positives, negatives and ignored anchors per image (fg:bg ratio).")
    Integer imbalanceImages;

    @Override
    public Integer call() throws Exception {
        if (presets) {
            Presets.names().forEach(System.out::println);
            return 0;
        }
        Registry registry = root.registry();
        Experiment experiment = configOptions.load(registry);
        Map<String, Long> counts = noModel ? Map.of() : parameterCounts(experiment, registry);
        AnchorImbalance.Result imbalance =
                imbalanceImages == null ? null : AnchorImbalance.measure(experiment, registry, imbalanceImages);
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("config", experiment.resolved().tree());
            if (!noModel) {
                out.put("parameters", counts);
                out.put(
                        "totalParameters",
                        counts.values().stream().mapToLong(Long::longValue).sum());
            }
            if (imbalance != null) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("images", imbalance.images());
                m.put("anchorsPerImage", imbalance.anchorsPerImage());
                m.put("positives", imbalance.positives());
                m.put("negatives", imbalance.negatives());
                m.put("ignored", imbalance.ignored());
                m.put("minPositivesPerImage", imbalance.minPositives());
                m.put("maxPositivesPerImage", imbalance.maxPositives());
                m.put("imagesWithoutPositives", imbalance.imagesWithoutPositives());
                m.put("negativesPerPositive", imbalance.negativesPerPositive());
                out.put("imbalance", m);
            }
            System.out.println(new ObjectMapper()
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(out));
            return 0;
        }
        System.out.print(experiment.yaml());
        if (!noModel) {
            System.out.println("# parameters");
            long total = 0;
            for (var e : counts.entrySet()) {
                System.out.printf("#   %-10s %,15d%n", e.getKey(), e.getValue());
                total += e.getValue();
            }
            System.out.printf("#   %-10s %,15d%n", "total", total);
        }
        if (imbalance != null) {
            System.out.println("# anchor imbalance (training set, the head's assigner): " + imbalance.summary());
        }
        return 0;
    }

    private static Map<String, Long> parameterCounts(Experiment experiment, Registry registry) {
        try (NDManager manager = NDManager.newBaseManager()) {
            Detector detector =
                    new DetectorBuilder(registry).build(experiment.config().model(), experiment.numClasses(registry));
            int s = experiment.config().model().inputSize();
            detector.initialize(
                    manager, ai.djl.ndarray.types.DataType.FLOAT32, new ai.djl.ndarray.types.Shape(1, 3, s, s));
            return detector.parameterCounts();
        }
    }
}
