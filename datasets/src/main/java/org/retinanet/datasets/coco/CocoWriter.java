package org.retinanet.datasets.coco;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.retinanet.api.data.Category;
import org.retinanet.api.data.DecodedImage;
import org.retinanet.api.data.DetectionDataset;
import org.retinanet.api.data.GtBox;
import org.retinanet.api.data.ImageAnnotations;
import org.retinanet.api.data.ImageInfo;

/**
 * Writes a dataset as a COCO instances file plus PNG images: {@code dir/annotations.json} and
 * {@code dir/images/<id>.png}. Boxes become [x, y, w, h], ignore regions {@code iscrowd: 1}, and
 * GtBox areas the {@code area} field, so the {@code coco} dataset reads back the same ground truth.
 */
public final class CocoWriter {

    private CocoWriter() {}

    /** Writes {@code dataset} under {@code dir}; returns the annotation file. */
    public static Path write(DetectionDataset dataset, Path dir) throws IOException {
        Path imageDir = dir.resolve("images");
        Files.createDirectories(imageDir);
        Path json = dir.resolve("annotations.json");
        try (JsonGenerator g = new JsonFactory().createGenerator(json.toFile(), JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeArrayFieldStart("images");
            for (int i = 0; i < dataset.size(); i++) {
                ImageInfo info = dataset.annotations(i).image();
                String fileName = String.format("images/%06d.png", info.id());
                DecodedImage image = dataset.image(i);
                writePng(image, dir.resolve(fileName));
                g.writeStartObject();
                g.writeNumberField("id", info.id());
                g.writeStringField("file_name", fileName);
                g.writeNumberField("width", image.width());
                g.writeNumberField("height", image.height());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("annotations");
            for (int i = 0; i < dataset.size(); i++) {
                ImageAnnotations ann = dataset.annotations(i);
                for (GtBox box : ann.boxes()) {
                    g.writeStartObject();
                    g.writeNumberField("id", box.id());
                    g.writeNumberField("image_id", ann.image().id());
                    g.writeNumberField(
                            "category_id", dataset.categories().get(box.label()).datasetId());
                    g.writeArrayFieldStart("bbox");
                    g.writeNumber(box.x1());
                    g.writeNumber(box.y1());
                    g.writeNumber(box.width());
                    g.writeNumber(box.height());
                    g.writeEndArray();
                    g.writeNumberField("area", box.area());
                    g.writeNumberField("iscrowd", box.ignore() ? 1 : 0);
                    g.writeEndObject();
                }
            }
            g.writeEndArray();
            g.writeArrayFieldStart("categories");
            for (Category c : dataset.categories()) {
                g.writeStartObject();
                g.writeNumberField("id", c.datasetId());
                g.writeStringField("name", c.name());
                g.writeStringField("supercategory", "shape");
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        return json;
    }

    /** Lossless RGB PNG of decoded pixels. */
    public static void writePng(DecodedImage image, Path file) throws IOException {
        BufferedImage out = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_3BYTE_BGR);
        byte[] bgr = ((DataBufferByte) out.getRaster().getDataBuffer()).getData();
        byte[] rgb = image.rgb();
        for (int i = 0; i < rgb.length; i += 3) {
            bgr[i] = rgb[i + 2];
            bgr[i + 1] = rgb[i + 1];
            bgr[i + 2] = rgb[i];
        }
        if (!ImageIO.write(out, "png", file.toFile())) {
            throw new IOException("no PNG writer for " + file);
        }
    }
}
