package org.retinanet.experiments.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;

/** The report's two PNG plots, drawn with Java2D: AP per cell with error bars, and loss curves. */
final class Plots {

    private static final Color[] PALETTE = {
        new Color(31, 119, 180),
        new Color(255, 127, 14),
        new Color(44, 160, 44),
        new Color(214, 39, 40),
        new Color(148, 103, 189),
        new Color(140, 86, 75),
        new Color(227, 119, 194),
        new Color(127, 127, 127),
        new Color(188, 189, 34),
        new Color(23, 190, 207)
    };

    private Plots() {}

    /** Bars of mean AP per group with +-1 std error bars. */
    static void apBars(List<String> groups, List<Double> means, List<Double> stds, Path file) throws IOException {
        int w = Math.max(480, 90 * groups.size() + 120);
        // bars carry short labels; a legend below gives each cell's full name, however long
        List<String> legend = legend(groups);
        int longest = legend.stream().mapToInt(String::length).max().orElse(0);
        w = Math.max(w, 80 + 8 * longest);
        int h = 340 + 16 * legend.size();
        BufferedImage img = canvas(w, h);
        Graphics2D g = graphics(img);
        int left = 60;
        int bottom = 300;
        int top = 40;
        double max = 1e-9;
        for (int i = 0; i < means.size(); i++) {
            max = Math.max(max, means.get(i) + (Double.isNaN(stds.get(i)) ? 0 : stds.get(i)));
        }
        max = niceCeil(max);
        axes(g, left, top, w - 20, bottom, 0, max, "AP");
        int slot = (w - left - 20) / Math.max(1, groups.size());
        for (int i = 0; i < groups.size(); i++) {
            double m = means.get(i);
            int x = left + i * slot + slot / 4;
            int bw = slot / 2;
            int y = bottom - (int) ((bottom - top) * m / max);
            g.setColor(PALETTE[i % PALETTE.length]);
            g.fillRect(x, y, bw, bottom - y);
            double s = stds.get(i);
            if (!Double.isNaN(s) && s > 0) {
                g.setColor(Color.BLACK);
                int y1 = bottom - (int) ((bottom - top) * (m + s) / max);
                int y2 = bottom - (int) ((bottom - top) * Math.max(0, m - s) / max);
                g.drawLine(x + bw / 2, y1, x + bw / 2, y2);
                g.drawLine(x + bw / 2 - 5, y1, x + bw / 2 + 5, y1);
                g.drawLine(x + bw / 2 - 5, y2, x + bw / 2 + 5, y2);
            }
            g.setColor(Color.BLACK);
            g.drawString(String.format("%.3f", m), x, y - 4);
            g.drawString(String.valueOf(i + 1), x + bw / 2 - 3, bottom + 16);
        }
        for (int i = 0; i < legend.size(); i++) {
            g.drawString(legend.get(i), left, bottom + 40 + 16 * i);
        }
        g.drawString("AP per cell (mean +- std over seeds)", left, 20);
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }

    /** Training loss against iteration, one line per run. */
    static void lossCurves(Map<String, TreeMap<Long, Double>> curves, Path file) throws IOException {
        int w = 720;
        int h = 420;
        BufferedImage img = canvas(w, h);
        Graphics2D g = graphics(img);
        int left = 60;
        int right = w - 200;
        int top = 40;
        int bottom = h - 50;
        long maxIter = 1;
        double maxLoss = 1e-9;
        for (TreeMap<Long, Double> c : curves.values()) {
            if (!c.isEmpty()) {
                maxIter = Math.max(maxIter, c.lastKey());
                for (double v : c.values()) {
                    if (Double.isFinite(v)) {
                        maxLoss = Math.max(maxLoss, v);
                    }
                }
            }
        }
        maxLoss = niceCeil(maxLoss);
        axes(g, left, top, right, bottom, 0, maxLoss, "loss");
        g.drawString("0", left, bottom + 15);
        g.drawString(maxIter + " iterations", right - 70, bottom + 15);
        int i = 0;
        g.setStroke(new BasicStroke(1.5f));
        for (Map.Entry<String, TreeMap<Long, Double>> e : curves.entrySet()) {
            g.setColor(PALETTE[i % PALETTE.length]);
            int px = -1;
            int py = -1;
            double smooth = Double.NaN;
            for (Map.Entry<Long, Double> p : e.getValue().entrySet()) {
                if (!Double.isFinite(p.getValue())) {
                    continue;
                }
                smooth = Double.isNaN(smooth) ? p.getValue() : 0.8 * smooth + 0.2 * p.getValue();
                int x = left + (int) ((right - left) * p.getKey() / (double) maxIter);
                int y = bottom - (int) ((bottom - top) * smooth / maxLoss);
                if (px >= 0) {
                    g.drawLine(px, py, x, y);
                }
                px = x;
                py = y;
            }
            g.fillRect(right + 15, top + 18 * i, 10, 10);
            g.setColor(Color.BLACK);
            g.drawString(shorten(e.getKey()), right + 30, top + 18 * i + 10);
            i++;
        }
        g.drawString("training loss (EMA 0.8)", left, 20);
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }

    private static BufferedImage canvas(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.dispose();
        return img;
    }

    private static Graphics2D graphics(BufferedImage img) {
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.setColor(Color.BLACK);
        return g;
    }

    private static void axes(
            Graphics2D g, int left, int top, int right, int bottom, double min, double max, String label) {
        g.setColor(Color.BLACK);
        g.drawLine(left, top, left, bottom);
        g.drawLine(left, bottom, right, bottom);
        for (int t = 0; t <= 4; t++) {
            double v = min + (max - min) * t / 4;
            int y = bottom - (bottom - top) * t / 4;
            g.setColor(new Color(225, 225, 225));
            g.drawLine(left + 1, y, right, y);
            g.setColor(Color.BLACK);
            g.drawString(tick(v), 8, y + 4);
        }
        g.drawString(label, 8, top - 8);
    }

    /** An axis value with the digits it needs (0.025, not a rounded 0.03 beside a 0.025 grid line). */
    static String tick(double v) {
        if (!Double.isFinite(v)) {
            return String.valueOf(v); // an axis over no finite value (every run failed)
        }
        return java.math.BigDecimal.valueOf(v)
                .round(new java.math.MathContext(3))
                .stripTrailingZeros()
                .toPlainString();
    }

    /** "1  name" lines for the bars' numeric labels. */
    static List<String> legend(List<String> groups) {
        List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < groups.size(); i++) {
            out.add((i + 1) + "  " + groups.get(i));
        }
        return out;
    }

    private static String shorten(String s) {
        return s.length() <= 28 ? s : s.substring(0, 26) + "..";
    }

    private static double niceCeil(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }
}
