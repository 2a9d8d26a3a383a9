package org.retinanet.experiments.train;

import java.util.Map;

/**
 * Training progress: a one-line bar redrawn in place on a terminal (ETA, loss, lr, images/s),
 * plain periodic log lines otherwise (CI logs, grid cells).
 */
public final class Progress {

    /** How to show progress. */
    public enum Mode {
        AUTO,
        BAR,
        LINES,
        QUIET
    }

    private final Mode mode;
    private final long total;
    private final int interval;
    private final long startNanos = System.nanoTime();
    private long startIter = -1;
    private double smoothedLoss = Double.NaN;

    public Progress(Mode mode, long total, int interval) {
        this.mode = mode == Mode.AUTO ? (System.console() != null ? Mode.BAR : Mode.LINES) : mode;
        this.total = total;
        this.interval = Math.max(1, interval);
    }

    public void step(
            long iter, int epoch, Map<String, Double> losses, double lr, double imagesPerSec, double dataSeconds) {
        if (startIter < 0) {
            startIter = iter - 1;
        }
        double loss = losses.getOrDefault("loss", Double.NaN);
        smoothedLoss = Double.isNaN(smoothedLoss) ? loss : 0.9 * smoothedLoss + 0.1 * loss;
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        double perIter = elapsed / Math.max(1, iter - startIter);
        long eta = (long) (perIter * (total - iter));
        StringBuilder parts = new StringBuilder();
        losses.forEach((k, v) -> {
            if (!k.equals("loss")) {
                parts.append(String.format(" %s %.4f", k, v));
            }
        });
        String line = String.format(
                "iter %d/%d epoch %d loss %.4f (ema; this step:%s ) lr %.3g %.1f img/s data %.2fs eta %s",
                iter,
                total,
                epoch + 1,
                smoothedLoss,
                parts.toString().trim().isEmpty() ? "" : parts,
                lr,
                imagesPerSec,
                dataSeconds,
                hms(eta));
        switch (mode) {
            case BAR -> {
                int width = 24;
                int filled = (int) (width * iter / Math.max(1, total));
                System.err.print("\r[" + "=".repeat(filled) + " ".repeat(width - filled) + "] " + line + "   ");
            }
            case LINES -> {
                if (iter % interval == 0 || iter == total || iter == startIter + 1) {
                    System.err.println(line);
                }
            }
            default -> {}
        }
    }

    public void done() {
        if (mode == Mode.BAR) {
            System.err.println();
        }
    }

    static String hms(long seconds) {
        return String.format("%02d:%02d:%02d", seconds / 3600, (seconds / 60) % 60, seconds % 60);
    }
}
