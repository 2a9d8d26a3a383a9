package org.retinanet.experiments.report;

import java.util.Map;
import java.util.TreeMap;

/**
 * What one run directory holds for the report: its group (the cell without its seed), status,
 * flattened resolved config, metrics and training time, and the training-loss curve.
 */
public record CellResult(
        String name,
        String group,
        String status,
        Map<String, Object> config,
        Map<String, Double> metrics,
        double trainSeconds,
        TreeMap<Long, Double> lossCurve,
        String error) {

    public boolean finished() {
        return "finished".equals(status) && !metrics.isEmpty();
    }

    public String meta(String key) {
        Object v = config.get("meta." + key);
        return v == null ? null : v.toString();
    }
}
