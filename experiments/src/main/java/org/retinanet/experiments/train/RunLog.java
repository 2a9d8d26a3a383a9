package org.retinanet.experiments.train;

import java.awt.image.BufferedImage;
import java.util.Map;

/** Where a run reports its numbers: TensorBoard event files, and anything else a listener wants. */
public interface RunLog extends AutoCloseable {

    void scalar(String tag, long step, double value);

    void histogram(String tag, long step, double[] values);

    void image(String tag, long step, BufferedImage image);

    /** HParams session start: the run's hyper-parameters (strings, numbers, booleans). */
    void sessionStart(Map<String, Object> hparams, String groupName);

    /** HParams session end, with success or failure. */
    void sessionEnd(boolean success);

    @Override
    void close();

    RunLog NONE = new RunLog() {
        @Override
        public void scalar(String tag, long step, double value) {}

        @Override
        public void histogram(String tag, long step, double[] values) {}

        @Override
        public void image(String tag, long step, BufferedImage image) {}

        @Override
        public void sessionStart(Map<String, Object> hparams, String groupName) {}

        @Override
        public void sessionEnd(boolean success) {}

        @Override
        public void close() {}
    };
}
