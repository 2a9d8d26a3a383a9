package org.retinanet.experiments.bench.jmh;

import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the host-side microbenchmarks (scripts/bench/jmh.sh builds the class path). Without
 * arguments: every benchmark of this package with short, CPU-friendly settings (1 fork, 2 warmup
 * and 5 measured iterations of 2 s); with arguments: JMH's own command line (a regex, -f, -wi, -i,
 * -p name=value, -rf json ...), defaulting to this package. The forks run the engine with
 * {@code -Dai.djl.pytorch.num_threads} of this JVM (default 1: on a shared 2-core machine more
 * intra-op threads than free cores make small ops wait for descheduled threads).
 */
public final class JmhMain {

    private JmhMain() {}

    public static void main(String[] args) throws RunnerException, CommandLineOptionException {
        String pkg = JmhMain.class.getPackageName() + ".";
        String[] jvmArgs = {
            "-Dai.djl.offline=true",
            "-Xmx4g",
            "-Dai.djl.pytorch.num_threads=" + System.getProperty("ai.djl.pytorch.num_threads", "1")
        };
        OptionsBuilder defaults = new OptionsBuilder();
        defaults.include(pkg)
                .forks(1)
                .warmupIterations(2)
                .warmupTime(TimeValue.seconds(2))
                .measurementIterations(5)
                .measurementTime(TimeValue.seconds(2))
                .jvmArgsAppend(jvmArgs);
        Options options = defaults.build();
        if (args.length > 0) {
            CommandLineOptions cli = new CommandLineOptions(args);
            OptionsBuilder merged = new OptionsBuilder();
            merged.parent(cli);
            if (cli.getIncludes().isEmpty()) {
                merged.include(pkg);
            }
            merged.jvmArgsAppend(jvmArgs);
            options = merged.build();
        }
        new Runner(options).run();
    }
}
