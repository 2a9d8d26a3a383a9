package org.retinanet.experiments.train;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.retinanet.api.registry.Registry;
import org.retinanet.experiments.config.ExperimentConfig;

/**
 * The hyper-parameters a run reports to TensorBoard's HParams dashboard: every scalar leaf of the
 * model and train sections of the resolved config, under its dotted path, plus the seed.
 */
public final class Hparams {

    private Hparams() {}

    public static Map<String, Object> of(JsonNode tree, Registry registry, ExperimentConfig cfg) {
        Map<String, Object> out = new LinkedHashMap<>();
        flatten("model", tree.path("model"), out);
        flatten("train", tree.path("train"), out);
        out.put("seed", cfg.seed());
        return out;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, Object> out) {
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = node.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                flatten(prefix + "." + e.getKey(), e.getValue(), out);
            }
        } else if (node.isNumber()) {
            out.put(prefix, node.asDouble());
        } else if (node.isBoolean()) {
            out.put(prefix, node.asBoolean());
        } else if (node.isTextual()) {
            out.put(prefix, node.asText());
        } else if (node.isArray()) {
            out.put(prefix, node.toString());
        }
    }
}
