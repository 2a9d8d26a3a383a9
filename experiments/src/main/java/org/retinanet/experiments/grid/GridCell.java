package org.retinanet.experiments.grid;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One cell of a grid: its directory name, the group it belongs to (the cell without its seed),
 * its axis values and seed.
 */
public record GridCell(String name, String group, Map<String, JsonNode> values, Long seed) {

    /** An axis named {@code base} sweeps whole configs (presets or files) instead of one value. */
    public static final String BASE_AXIS = "base";

    /** This cell's base config: the {@code base} axis value, or {@code gridBase}. */
    public String base(String gridBase) {
        JsonNode b = values.get(BASE_AXIS);
        return b == null ? gridBase : b.asText();
    }

    /** {@code --set} overrides that turn the base config into this cell. */
    public List<String> overrides() {
        List<String> out = new ArrayList<>();
        values.forEach((path, v) -> {
            if (!path.equals(BASE_AXIS)) {
                out.add(path + "=" + v.toString());
            }
        });
        if (seed != null) {
            out.add("seed=" + seed);
        }
        out.add("name=" + name);
        return out;
    }

    /** A readable, file-system-safe name: {@code lossCls=focal_gamma=2}. */
    static String nameOf(Map<String, JsonNode> combo) {
        if (combo.isEmpty()) {
            return "base";
        }
        StringBuilder sb = new StringBuilder();
        combo.forEach((path, v) -> {
            if (sb.length() > 0) {
                sb.append('_');
            }
            String key = path.substring(path.lastIndexOf('.') + 1);
            sb.append(key).append('=').append(describe(v));
        });
        return sb.toString().replaceAll("[^A-Za-z0-9._=,+-]", "");
    }

    private static String describe(JsonNode v) {
        if (v.isObject()) {
            StringBuilder sb = new StringBuilder(v.path("type").asText(""));
            v.fields().forEachRemaining(e -> {
                if (!e.getKey().equals("type")) {
                    sb.append(sb.length() > 0 ? "," : "")
                            .append(e.getKey())
                            .append(e.getValue().isValueNode() ? e.getValue().asText() : "");
                }
            });
            return sb.toString();
        }
        if (v.isArray()) {
            List<String> parts = new ArrayList<>();
            v.forEach(x -> parts.add(describe(x)));
            return String.join("+", parts);
        }
        return v.asText();
    }
}
