package org.retinanet.experiments.tensorboard;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;
import javax.imageio.ImageIO;

/**
 * Writes one TensorBoard event file ({@code events.out.tfevents.<secs>.<host>.<pid>}) in a run
 * directory: scalars, PNG images, histograms and HParams summaries. Every record goes to the
 * operating system as one write as soon as it is made, so a process killed at any moment leaves
 * a file whose complete records TensorBoard reads. Safe to call from several threads.
 */
public final class EventFileWriter implements Closeable {

    private final Path file;
    private final OutputStream out;
    private final DoubleSupplier clock;
    private boolean closed;

    /** Creates the run directory if needed and a new event file in it, starting with the file-version record. */
    public EventFileWriter(Path runDir) throws IOException {
        this(runDir, () -> System.currentTimeMillis() / 1000.0);
    }

    /** With an explicit wall clock in seconds (tests). */
    public EventFileWriter(Path runDir, DoubleSupplier clock) throws IOException {
        this.clock = clock;
        Files.createDirectories(runDir);
        String base = String.format(
                "events.out.tfevents.%010d.%s.%d",
                (long) clock.getAsDouble(), hostName(), ProcessHandle.current().pid());
        Path candidate = runDir.resolve(base);
        for (int i = 1; Files.exists(candidate); i++) { // a second writer in the same second and process
            candidate = runDir.resolve(base + "." + i);
        }
        this.file = candidate;
        this.out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        write(EventEncoder.fileVersionEvent(clock.getAsDouble()));
    }

    public Path file() {
        return file;
    }

    /** A scalar ({@code Value.simple_value}; TensorBoard stores scalars as float32). */
    public void scalar(String tag, long step, double value) {
        summary(step, EventEncoder.scalarValue(tag, (float) value));
    }

    /** An image, PNG-encoded; gray, RGB or RGBA according to the image's colour model. */
    public void image(String tag, long step, BufferedImage image) {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", png)) {
                throw new IllegalArgumentException(
                        "image " + tag + ": no PNG writer for image type " + image.getType());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("image " + tag + ": PNG encoding failed", e);
        }
        int colorspace = image.getColorModel().getNumComponents();
        summary(step, EventEncoder.imageValue(tag, image.getHeight(), image.getWidth(), colorspace, png.toByteArray()));
    }

    /**
     * A histogram of the finite values in {@link Histogram#DEFAULT_BUCKETS} equal-width buckets.
     *
     * @return false, writing nothing, when there is no finite value (for example no positive
     *     anchor in a batch)
     */
    public boolean histogram(String tag, long step, double[] values) {
        return histogram(tag, step, values, Histogram.DEFAULT_BUCKETS);
    }

    public boolean histogram(String tag, long step, double[] values, int buckets) {
        if (noFiniteValue(values)) {
            return false;
        }
        summary(step, EventEncoder.histogramValue(tag, Histogram.of(values, buckets)));
        return true;
    }

    /**
     * The HParams experiment: hyper-parameters with their domains and the metrics to show. Write
     * it once, at the root directory of a grid.
     */
    public void hparamsExperiment(List<HParamInfo> hparams, List<MetricInfo> metrics) {
        double now = clock.getAsDouble();
        summary(
                0,
                EventEncoder.hparamsValue(
                        EventEncoder.EXPERIMENT_TAG, 2, EventEncoder.experiment(hparams, metrics, now)));
    }

    /**
     * The start of one session (a run): its hyper-parameter values (strings, numbers or
     * booleans) and group; written at step 0 in the run's own directory.
     */
    public void sessionStartInfo(Map<String, ?> hparams, String groupName, double startTimeSecs) {
        summary(
                0,
                EventEncoder.hparamsValue(
                        EventEncoder.SESSION_START_TAG,
                        3,
                        EventEncoder.sessionStart(hparams, groupName, startTimeSecs)));
    }

    public void sessionEndInfo(SessionStatus status, double endTimeSecs) {
        summary(
                0,
                EventEncoder.hparamsValue(
                        EventEncoder.SESSION_END_TAG, 4, EventEncoder.sessionEnd(status, endTimeSecs)));
    }

    private void summary(long step, ProtoOutput value) {
        write(EventEncoder.summaryEvent(clock.getAsDouble(), step, value));
    }

    private synchronized void write(byte[] event) {
        if (closed) {
            throw new IllegalStateException("event file " + file + " is closed");
        }
        try {
            out.write(RecordFraming.frame(event));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write event file " + file, e);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (!closed) {
            closed = true;
            out.close();
        }
    }

    private static boolean noFiniteValue(double[] values) {
        for (double v : values) {
            if (Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    private static String hostName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = System.getenv().getOrDefault("HOSTNAME", "localhost");
        }
        String safe = host.replaceAll("[^A-Za-z0-9._-]", "_");
        return safe.isEmpty() ? "localhost" : safe;
    }
}
