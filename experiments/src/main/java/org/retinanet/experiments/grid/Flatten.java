package org.retinanet.experiments.grid;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/** Flattens a config tree into dotted paths: numbers as doubles, lists as compact JSON. */
public final class Flatten {

    private Flatten() {}

    public static void into(String prefix, JsonNode node, Map<String, Object> out) {
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = node.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                into(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out);
            }
        } else if (node.isNumber()) {
            out.put(prefix, node.asDouble());
        } else if (node.isBoolean()) {
            out.put(prefix, node.asBoolean());
        } else if (node.isNull()) {
            out.put(prefix, "null");
        } else if (node.isValueNode()) {
            out.put(prefix, node.asText());
        } else {
            out.put(prefix, node.toString());
        }
    }
}
