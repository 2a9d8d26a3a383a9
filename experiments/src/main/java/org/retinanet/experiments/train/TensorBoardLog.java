package org.retinanet.experiments.train;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import org.retinanet.experiments.tensorboard.EventFileWriter;
import org.retinanet.experiments.tensorboard.SessionStatus;

/** A {@link RunLog} writing TensorBoard event files into the run directory. */
public final class TensorBoardLog implements RunLog {

    private final EventFileWriter writer;

    public TensorBoardLog(Path runDir) throws IOException {
        this.writer = new EventFileWriter(runDir);
    }

    @Override
    public void scalar(String tag, long step, double value) {
        writer.scalar(tag, step, value);
    }

    @Override
    public void histogram(String tag, long step, double[] values) {
        writer.histogram(tag, step, values);
    }

    @Override
    public void image(String tag, long step, BufferedImage image) {
        writer.image(tag, step, image);
    }

    @Override
    public void sessionStart(Map<String, Object> hparams, String groupName) {
        writer.sessionStartInfo(hparams, groupName, System.currentTimeMillis() / 1000.0);
    }

    @Override
    public void sessionEnd(boolean success) {
        writer.sessionEndInfo(
                success ? SessionStatus.SUCCESS : SessionStatus.FAILURE, System.currentTimeMillis() / 1000.0);
    }

    @Override
    public void close() {
        try {
            writer.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
