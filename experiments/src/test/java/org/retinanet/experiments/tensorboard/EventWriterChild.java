package org.retinanet.experiments.tensorboard;

import java.nio.file.Path;

/** Child process for the kill test: writes scalars (and a histogram now and then) until killed. */
public final class EventWriterChild {

    public static void main(String[] args) throws Exception {
        EventFileWriter w = new EventFileWriter(Path.of(args[0]));
        double[] values = new double[1000];
        for (long step = 0; ; step++) {
            w.scalar("loss", step, 1.0 / (step + 1));
            if (step % 50 == 0) {
                for (int i = 0; i < values.length; i++) {
                    values[i] = Math.sin(i + step);
                }
                w.histogram("h", step, values);
            }
        }
    }
}
