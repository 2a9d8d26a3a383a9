package org.retinanet.engine;

import ai.djl.Device;
import java.util.Random;
import org.retinanet.experiments.engine.ConvSelfCheck;

/**
 * A broader look than the start-up self-check, for docs/benchmarks.md: random convolution shapes
 * (batch 1-4, 3-96 channels, maps 2-12, stride 1 or 2, 3x3) against float64, under whatever
 * ONEDNN_MAX_CPU_ISA the process has. Prints how many are wrong and the first few. Not a test:
 * {@code java -cp <test classpath> org.retinanet.engine.ConvSweep [count] [seed]}.
 */
public final class ConvSweep {

    private ConvSweep() {}

    public static void main(String[] args) {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 400;
        Random random = new Random(args.length > 1 ? Long.parseLong(args[1]) : 1);
        int[][] shapes = new int[count][];
        for (int i = 0; i < count; i++) {
            shapes[i] = new int[] {
                1 + random.nextInt(4),
                3 + random.nextInt(94),
                2 + random.nextInt(11),
                2 + random.nextInt(11),
                1 + random.nextInt(2)
            };
        }
        ConvSelfCheck.Result r = ConvSelfCheck.run(Device.cpu(), ConvSelfCheck.ENGINE, shapes, 64);
        System.out.printf(
                "ONEDNN_MAX_CPU_ISA=%s: %d of %d random shapes wrong (worst relative error %.1e, %.1f s)%n",
                System.getenv().getOrDefault("ONEDNN_MAX_CPU_ISA", "(none)"),
                r.wrong().size(),
                count,
                r.worst(),
                r.millis() / 1000);
        r.wrong().stream().limit(5).forEach(c -> System.out.println("  " + c));
    }
}
