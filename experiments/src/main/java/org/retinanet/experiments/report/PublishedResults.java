package org.retinanet.experiments.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The numbers we compare against: mmdetection's RetinaNet model zoo (COCO val2017) and the
 * paper's Table 1, both shipped as resources ({@code published/mmdet.csv},
 * {@code published/paper_table1.yaml}).
 */
public final class PublishedResults {

    /** A row of the mmdetection table. */
    public record ZooRow(
            String config, String backbone, String style, String schedule, Double memGb, Double fps, double ap) {}

    /** A row of a paper table: the config values it requires and its numbers. */
    public record PaperRow(
            String table, String title, Map<String, Object> match, double ap, double ap50, double ap75) {}

    /** mmdetection's table is measured at its configs' test scale (1333 x 800). */
    static final Map<String, Object> ZOO_SETTING =
            Map.of("meta.dataset", "coco_val2017", "data.val.pipeline.scale", "[1333,800]");

    private final List<ZooRow> zoo = new ArrayList<>();
    private final List<PaperRow> paper = new ArrayList<>();
    /** Per paper table, the setting (dataset, schedule, backbone, test scale) its numbers were measured in. */
    private final Map<String, Map<String, Object>> settings = new java.util.LinkedHashMap<>();

    public PublishedResults() {
        try (InputStream in = resource("published/mmdet.csv")) {
            List<String> lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))
                    .lines()
                    .toList();
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.split(",", -1);
                zoo.add(new ZooRow(f[0], f[1], f[2], f[3], num(f[4]), num(f[5]), Double.parseDouble(f[6])));
            }
            JsonNode tables = new ObjectMapper(new YAMLFactory()).readTree(resource("published/paper_table1.yaml"));
            for (Iterator<Map.Entry<String, JsonNode>> it = tables.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> t = it.next();
                settings.put(t.getKey(), values(t.getValue().path("setting")));
                for (JsonNode row : t.getValue().get("rows")) {
                    paper.add(new PaperRow(
                            t.getKey(),
                            t.getValue().get("title").asText(),
                            values(row.get("match")),
                            row.get("AP").asDouble(),
                            row.get("AP50").asDouble(),
                            row.get("AP75").asDouble()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<ZooRow> zoo() {
        return zoo;
    }

    /**
     * The mmdetection row a cell corresponds to: same backbone, style and schedule, evaluated on
     * COCO val2017; null when there is none.
     */
    public ZooRow zooRowFor(CellResult cell) {
        if (!matches(ZOO_SETTING, cell)) {
            return null;
        }
        for (ZooRow r : zoo) {
            if (r.backbone().equals(cell.meta("backbone"))
                    && r.style().equals(cell.meta("style"))
                    && r.schedule().equals(cell.meta("schedule"))) {
                return r;
            }
        }
        return null;
    }

    /**
     * The row of paper table {@code table} whose required values the cell's config has; null when
     * the cell did not run in the table's setting (dataset, schedule, backbone, test scale).
     */
    public PaperRow paperRowFor(String table, CellResult cell) {
        if (!settings.containsKey(table) || !matches(settings.get(table), cell)) {
            return null;
        }
        for (PaperRow r : paper) {
            if (r.table().equals(table) && matches(r.match(), cell)) {
                return r;
            }
        }
        return null;
    }

    private static boolean matches(Map<String, Object> required, CellResult cell) {
        for (Map.Entry<String, Object> m : required.entrySet()) {
            Object v = cell.config().get(m.getKey());
            if (m.getValue() == null ? (v != null && !"null".equals(v)) : !same(m.getValue(), v)) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, Object> values(JsonNode node) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        node.fields()
                .forEachRemaining(m -> out.put(
                        m.getKey(),
                        m.getValue().isNumber()
                                ? (Object) m.getValue().asDouble()
                                : m.getValue().isNull() ? null : m.getValue().asText()));
        return out;
    }

    public boolean hasPaperTable(String table) {
        return paper.stream().anyMatch(r -> r.table().equals(table));
    }

    private static boolean same(Object expected, Object actual) {
        if (actual == null) {
            return false;
        }
        if (expected instanceof Double d && actual instanceof Number n) {
            return Math.abs(d - n.doubleValue()) < 1e-9;
        }
        return expected.toString().replace(" ", "").equals(actual.toString().replace(" ", ""));
    }

    private static Double num(String s) {
        return s.isBlank() ? null : Double.parseDouble(s);
    }

    private static InputStream resource(String name) {
        InputStream in = PublishedResults.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException("missing resource " + name);
        }
        return in;
    }
}
