package org.retinanet.datasets.voc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.retinanet.api.data.Category;
import org.retinanet.api.data.GtBox;
import org.retinanet.api.data.ImageAnnotations;
import org.retinanet.api.data.ImageInfo;
import org.retinanet.api.registry.UserException;
import org.retinanet.datasets.BadImagePolicy;
import org.retinanet.datasets.InMemoryDataset;
import org.retinanet.datasets.image.ImageDecoder;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * Pascal VOC XML annotations as mmdetection 3's XMLDataset reads them: each corner is
 * {@code int(float(text)) - 1} (VOC counts pixels from 1, so a box covering the whole image,
 * 1..W, becomes 0..W-1); {@code difficult} objects are ignore regions; objects of classes not in
 * the list are skipped. ImageInfo ids are the digits of the VOC id (2008_000123 → 2008000123).
 */
public final class VocDataset extends InMemoryDataset implements BadImagePolicy {

    private final int filtered;
    private final boolean skipBadImages;

    public VocDataset(
            Path root, String split, List<String> classes, boolean filterEmpty, int minSize, boolean skipBadImages) {
        this(read(root, split, classes, filterEmpty, minSize), skipBadImages);
    }

    private VocDataset(Split split, boolean skipBadImages) {
        super(split.name(), split.categories(), split.images());
        this.filtered = split.filtered();
        this.skipBadImages = skipBadImages;
    }

    /** A split as read: its images after filtering, and how many were filtered out. */
    private record Split(String name, List<Category> categories, List<ImageAnnotations> images, int filtered) {}

    private static Split read(Path root, String split, List<String> classes, boolean filterEmpty, int minSize) {
        List<Category> cats = new ArrayList<>();
        Map<String, Integer> labelOf = new HashMap<>();
        for (String c : classes) {
            labelOf.put(c, cats.size());
            cats.add(new Category(cats.size(), cats.size() + 1, c));
        }

        Path listFile = root.resolve("ImageSets/Main/" + split + ".txt");
        List<String> ids;
        try {
            ids = Files.readAllLines(listFile).stream()
                    .map(String::trim)
                    .filter(s -> !s.isEmpty())
                    .map(s -> s.split("\\s+")[0])
                    .toList();
        } catch (NoSuchFileException e) {
            throw new UserException("VOC split file not found: " + listFile);
        } catch (IOException e) {
            throw new UserException("cannot read VOC split file " + listFile + ": " + e.getMessage(), e);
        }
        DocumentBuilder xml = newBuilder();
        List<ImageAnnotations> all = new ArrayList<>(ids.size());
        long[] nextBoxId = {1};
        for (int i = 0; i < ids.size(); i++) {
            ImageAnnotations a = parse(xml, root, ids.get(i), i, labelOf, nextBoxId);
            if (filterEmpty && a.boxes().isEmpty()) {
                continue;
            }
            if (Math.min(a.image().width(), a.image().height()) < minSize) {
                continue;
            }
            all.add(a);
        }
        return new Split("voc:" + root.getFileName() + "/" + split, cats, all, ids.size() - all.size());
    }

    private static DocumentBuilder newBuilder() {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            return f.newDocumentBuilder();
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ImageAnnotations parse(
            DocumentBuilder xml, Path root, String id, int index, Map<String, Integer> labelOf, long[] nextBoxId) {
        Path file = root.resolve("Annotations/" + id + ".xml");
        Path image = root.resolve("JPEGImages/" + id + ".jpg");
        Document doc;
        try {
            doc = xml.parse(file.toFile());
        } catch (SAXParseException e) {
            throw new UserException("malformed XML in " + file + " at line " + e.getLineNumber() + " column "
                    + e.getColumnNumber() + ": " + e.getMessage());
        } catch (SAXException | IOException e) {
            throw new UserException((Files.exists(file) ? "cannot read VOC annotation " : "VOC annotation not found: ")
                    + file
                    + (Files.exists(file) ? ": " + e.getMessage() : ""));
        }
        Element rootEl = doc.getDocumentElement();
        int width;
        int height;
        Element size = child(rootEl, "size");
        try {
            if (size != null) {
                width = Integer.parseInt(text(size, "width", file));
                height = Integer.parseInt(text(size, "height", file));
            } else {
                int[] wh = ImageDecoder.size(image);
                width = wh[0];
                height = wh[1];
            }
        } catch (NumberFormatException e) {
            throw new UserException(file + ": <size> holds a non-integer: " + e.getMessage());
        } catch (IOException e) {
            throw new UserException(file + " has no <size> and its image cannot be read: " + e.getMessage());
        }
        List<GtBox> boxes = new ArrayList<>();
        NodeList objects = rootEl.getElementsByTagName("object");
        for (int o = 0; o < objects.getLength(); o++) {
            Element obj = (Element) objects.item(o);
            Integer label = labelOf.get(text(obj, "name", file).trim());
            if (label == null) {
                continue;
            }
            Element difficultEl = child(obj, "difficult");
            boolean difficult = difficultEl != null
                    && Integer.parseInt(difficultEl.getTextContent().trim()) != 0;
            Element bnd = child(obj, "bndbox");
            if (bnd == null) {
                throw new UserException(file + ": object " + (o + 1) + " has no <bndbox>");
            }
            double[] c = new double[4];
            String[] tags = {"xmin", "ymin", "xmax", "ymax"};
            for (int k = 0; k < 4; k++) {
                try {
                    c[k] = (int) Double.parseDouble(text(bnd, tags[k], file).trim()) - 1;
                } catch (NumberFormatException e) {
                    throw new UserException(file + ": object " + (o + 1) + " <" + tags[k] + "> is not a number");
                }
            }
            boxes.add(
                    new GtBox(nextBoxId[0]++, c[0], c[1], c[2], c[3], label, difficult, (c[2] - c[0]) * (c[3] - c[1])));
        }
        return new ImageAnnotations(
                new ImageInfo(numericId(id, index), image, width, height), Collections.unmodifiableList(boxes));
    }

    static long numericId(String id, int index) {
        String digits = id.replaceAll("\\D", "");
        if (digits.isEmpty() || digits.length() > 18) {
            return index;
        }
        return Long.parseLong(digits);
    }

    private static Element child(Element parent, String tag) {
        NodeList list = parent.getElementsByTagName(tag);
        return list.getLength() == 0 ? null : (Element) list.item(0);
    }

    private static String text(Element parent, String tag, Path file) {
        Element e = child(parent, tag);
        if (e == null) {
            throw new UserException(file + ": <" + parent.getTagName() + "> has no <" + tag + ">");
        }
        return e.getTextContent().trim();
    }

    @Override
    public boolean skipBadImages() {
        return skipBadImages;
    }

    @Override
    public String loadSummary() {
        return name() + ": " + size() + " images (" + filtered + " filtered), "
                + categories().size() + " classes";
    }
}
