package org.retinanet.experiments.grid;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.retinanet.api.registry.UserException;
import org.retinanet.experiments.grid.slurm.SlurmSettings;

/**
 * A grid file's {@code executor:} section: where the cells run. {@code local} (child JVMs on this
 * machine, {@code jobs} at once) or {@code slurm} (one job array; the other keys are
 * {@link SlurmSettings}). Command-line options override it key by key.
 *
 * <pre>
 * executor: {type: slurm, partition: gpu, time: "1-00:00:00", gpusPerTask: 1, cpusPerTask: 8, mem: 32G, maxConcurrent: 8}
 * </pre>
 */
public record ExecutorSettings(String type, Integer jobs, SlurmSettings slurm) {

    public static final String LOCAL = "local";
    public static final String SLURM = "slurm";

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public static ExecutorSettings defaults() {
        return new ExecutorSettings(LOCAL, null, SlurmSettings.EMPTY);
    }

    static ExecutorSettings parse(JsonNode node, String origin) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return defaults();
        }
        if (node.isTextual()) {
            return new ExecutorSettings(checkType(node.asText(), origin), null, SlurmSettings.EMPTY);
        }
        if (!node.isObject()) {
            throw new UserException(origin + ": executor: must be local, slurm, or a mapping with type: and settings");
        }
        ObjectNode fields = ((ObjectNode) node).deepCopy();
        String type = checkType(fields.path("type").asText(LOCAL), origin);
        fields.remove("type");
        Integer jobs = fields.has("jobs") ? fields.remove("jobs").asInt() : null;
        try {
            SlurmSettings slurm = JSON.treeToValue(fields, SlurmSettings.class);
            if (type.equals(LOCAL) && !fields.isEmpty()) {
                throw new UserException(origin + ": executor: "
                        + fields.fieldNames().next() + " is a Slurm setting; set type: slurm (local takes only jobs)");
            }
            return new ExecutorSettings(type, jobs, slurm);
        } catch (UnrecognizedPropertyException e) {
            throw new UserException(origin + ": executor: unknown key '" + e.getPropertyName()
                    + "'; known keys: type, jobs, " + String.join(", ", SlurmSettings.KEYS));
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof UserException u) {
                    throw new UserException(origin + ": " + u.getMessage(), u);
                }
            }
            throw new UserException(
                    origin + ": executor: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    private static String checkType(String type, String origin) {
        if (!List.of(LOCAL, SLURM).contains(type)) {
            throw new UserException(origin + ": executor type '" + type + "' is unknown; known: local, slurm");
        }
        return type;
    }

    /** These settings with the command line's choices on top (each non-null value wins). */
    public ExecutorSettings overriddenBy(String cliType, Integer cliJobs, SlurmSettings cliSlurm) {
        return new ExecutorSettings(
                cliType != null ? checkType(cliType, "--executor") : type,
                cliJobs != null ? cliJobs : jobs,
                slurm.overriddenBy(cliSlurm));
    }
}
