package org.retinanet.experiments.train;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.List;
import org.retinanet.api.data.DecodedImage;
import org.retinanet.api.data.Detection;
import org.retinanet.api.data.DetectionDataset;
import org.retinanet.api.data.GtBox;
import org.retinanet.api.data.ImageAnnotations;

/** Draws ground truth (green) and detections (red, score >= 0.3) on an image, for TensorBoard and predict. */
public final class Drawing {

    private Drawing() {}

    /** Image {@code index} of {@code dataset} with its ground truth and the detections of that image. */
    public static BufferedImage render(DetectionDataset dataset, List<Detection> detections, int index) {
        ImageAnnotations ann = dataset.annotations(index);
        BufferedImage img;
        try {
            img = toImage(dataset.image(index));
        } catch (IOException e) {
            img = new BufferedImage(
                    Math.max(1, ann.image().width()), Math.max(1, ann.image().height()), BufferedImage.TYPE_INT_RGB);
        }
        Graphics2D g = img.createGraphics();
        g.setStroke(new BasicStroke(1.5f));
        g.setColor(Color.GREEN);
        for (GtBox b : ann.boxes()) {
            g.drawRect((int) b.x1(), (int) b.y1(), (int) Math.max(1, b.width()), (int) Math.max(1, b.height()));
        }
        drawDetections(
                g,
                detections.stream().filter(d -> d.imageId() == ann.image().id()).toList(),
                dataset);
        g.dispose();
        return img;
    }

    public static void drawDetections(Graphics2D g, List<Detection> detections, DetectionDataset dataset) {
        g.setColor(Color.RED);
        for (Detection d : detections) {
            if (d.score() < 0.3) {
                continue;
            }
            g.drawRect(
                    (int) d.x1(), (int) d.y1(), (int) Math.max(1, d.x2() - d.x1()), (int) Math.max(1, d.y2() - d.y1()));
            String name = d.label() < dataset.categories().size()
                    ? dataset.categories().get(d.label()).name()
                    : "" + d.label();
            g.drawString(String.format("%s %.2f", name, d.score()), (int) d.x1(), (int) Math.max(10, d.y1() - 2));
        }
    }

    public static BufferedImage toImage(DecodedImage decoded) {
        BufferedImage img = new BufferedImage(decoded.width(), decoded.height(), BufferedImage.TYPE_INT_RGB);
        byte[] rgb = decoded.rgb();
        int[] pixels = new int[decoded.width() * decoded.height()];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = ((rgb[3 * i] & 0xff) << 16) | ((rgb[3 * i + 1] & 0xff) << 8) | (rgb[3 * i + 2] & 0xff);
        }
        img.setRGB(0, 0, decoded.width(), decoded.height(), pixels, 0, decoded.width());
        return img;
    }
}
