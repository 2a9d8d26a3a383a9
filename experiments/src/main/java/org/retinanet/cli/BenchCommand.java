package org.retinanet.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.List;
import java.util.concurrent.Callable;
import org.retinanet.api.registry.UserException;
import org.retinanet.experiments.bench.BenchResult;
import org.retinanet.experiments.bench.BenchRunner;
import org.retinanet.experiments.bench.BenchSettings;
import org.retinanet.experiments.bench.BenchText;
import org.retinanet.experiments.bench.PublishedTableBench;
import org.retinanet.experiments.bench.StepProfile;
import org.retinanet.experiments.config.Precision;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code retinanet bench}: step time, throughput, memory and where the time goes, for any config. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "Measure training or inference steps of a config's detector on synthetic batches (random"
                    + " weights unless the config loads some): median and p10/p90 step time, images/s, peak memory, and"
                    + " the split between data, forward, loss and target assignment, backward, optimizer and"
                    + " post-processing.",
            "With --steps 20 or more it also reports RSS after step 20 and after the last step (memory growth).",
            "--table measures every preset of mmdetection's RetinaNet table at 800x1333 and prints it beside the"
                    + " published figures."
        })
final class BenchCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @ParentCommand
    RootCommand root;

    @Mixin
    ConfigOptions configOptions;

    @Option(
            names = "--table",
            description = "Run every preset of the published table (inference, batch 1, 800x1333 unless given).")
    boolean table;

    @Option(
            names = "--mode",
            paramLabel = "train|infer",
            description = "Training step or inference (default: train; infer with --table).")
    BenchSettings.Mode mode;

    @Option(
            names = "--size",
            paramLabel = "H[xW]",
            description = "Image height x width (default 512; 800x1333 with --table)."
                    + " The batch is padded to a multiple of 32.")
    String size;

    @Option(names = "--batch", paramLabel = "B", description = "Images per step (default 2; 1 with --table).")
    Integer batch;

    @Option(names = "--steps", paramLabel = "K", description = "Timed steps (default 10; 3 with --table).")
    Integer steps;

    @Option(names = "--warmup", paramLabel = "W", description = "Untimed warmup steps (default 2; 1 with --table).")
    Integer warmup;

    @Mixin
    DeviceOption deviceOption;

    @Option(names = "--threads", paramLabel = "N", description = "Engine intra-op threads (default: the engine's).")
    Integer threads;

    @Option(
            names = "--boxes",
            paramLabel = "N",
            description = "Random ground-truth boxes per image in train mode (default 5).")
    int boxes = 5;

    @Option(
            names = "--lr",
            paramLabel = "LR",
            description = "SGD learning rate of the timed steps (default 1e-4; timing does"
                    + " not depend on it, a small one keeps random weights finite).")
    double lr = 1e-4;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the weights and synthetic data (default 0).")
    long seed;

    @Option(
            names = "--profile",
            description =
                    "Also sample the steps with JDK Flight Recorder and report where the time goes"
                            + " by component (target assignment apart from the loss functions, Java code apart from engine calls).")
    boolean profile;

    @Option(names = "--json", description = "Machine-readable output (one JSON document per precision).")
    boolean json;

    @Option(
            names = "--precision",
            split = ",",
            paramLabel = "P[,P]",
            description = "fp32 (default), fp16, or both (fp32,fp16): one measurement each, speed and peak memory."
                    + " fp16 trains as train.precision=fp16 does (float32 master weights, the config's loss scale).")
    List<String> precisions = List.of("fp32");

    @Override
    public Integer call() throws Exception {
        if (table == (configOptions.config != null)) {
            throw new UserException(
                    table
                            ? "--table runs the published presets: leave out --config"
                            : "give --config FILE|PRESET, or --table");
        }
        BenchSettings base = settings();
        int intraOp = BenchRunner.intraOpThreads(threads);
        // all parsed before the first measurement: a typo fails at once
        List<Precision> each = precisions.stream().map(PrecisionOption::parse).toList();
        for (Precision precision : each) {
            measure(base.withPrecision(precision), intraOp);
        }
        return 0;
    }

    private void measure(BenchSettings settings, int intraOp) throws Exception {
        var registry = root.registry();
        if (table) {
            List<PublishedTableBench.Row> rows = new PublishedTableBench(registry)
                    .run(configOptions.overrides, settings, deviceOption.device, intraOp, System.err);
            if (json) {
                System.out.println(JSON.writeValueAsString(rows));
            } else {
                System.out.print(PublishedTableBench.format(rows));
            }
            return;
        }
        BenchRunner runner = new BenchRunner(registry);
        if (!profile) {
            BenchResult result =
                    runner.run(configOptions.config, configOptions.overrides, settings, deviceOption.device, intraOp);
            System.out.print(json ? JSON.writeValueAsString(result) + "\n" : BenchText.format(result));
            return;
        }
        StepProfile.Profiled<BenchResult> p = StepProfile.record(() ->
                runner.run(configOptions.config, configOptions.overrides, settings, deviceOption.device, intraOp));
        if (json) {
            com.fasterxml.jackson.databind.node.ObjectNode node = JSON.valueToTree(p.result());
            node.set("profile", JSON.valueToTree(p.profile()));
            System.out.println(JSON.writeValueAsString(node));
        } else {
            System.out.print(BenchText.format(p.result()) + p.profile().format());
        }
    }

    private BenchSettings settings() {
        int[] hw = size != null
                ? parse(size)
                : table ? new int[] {PublishedTableBench.HEIGHT, PublishedTableBench.WIDTH} : new int[] {512, 512};
        try {
            return new BenchSettings(
                    mode != null ? mode : table ? BenchSettings.Mode.INFER : BenchSettings.Mode.TRAIN,
                    hw[0],
                    hw[1],
                    batch != null ? batch : table ? 1 : 2,
                    steps != null ? steps : table ? 3 : 10,
                    warmup != null ? warmup : table ? 1 : 2,
                    boxes,
                    lr,
                    seed,
                    32,
                    null);
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage(), e);
        }
    }

    private static int[] parse(String size) {
        try {
            return BenchSettings.parseSize(size);
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage(), e);
        }
    }
}
