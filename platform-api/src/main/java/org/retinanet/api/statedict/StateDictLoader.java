package org.retinanet.api.statedict;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.retinanet.api.nn.TensorCopy;

/** One {@link StateDict#loadInto} call: plan every copy, check it all, then copy. */
final class StateDictLoader {

    private static final int LISTED_KEYS = 5;

    private final StateDict source;
    private final Map<String, Parameter> target;
    private final LoadOptions options;

    StateDictLoader(StateDict source, Map<String, Parameter> target, LoadOptions options) {
        this.source = source;
        this.target = target;
        this.options = options;
    }

    LoadReport load() {
        Map<String, String> checkpointKeyOf = new LinkedHashMap<>(); // model key -> checkpoint key
        List<String> unexpected = new ArrayList<>();
        List<String> ignored = new ArrayList<>();
        for (String key : source.tensors().keySet()) {
            if (options.ignoredOnPurpose().test(key)) {
                ignored.add(key);
                continue;
            }
            String modelKey = options.rename().apply(key);
            if (modelKey == null) {
                ignored.add(key);
            } else if (!target.containsKey(modelKey)) {
                unexpected.add(key);
            } else {
                String previous = checkpointKeyOf.put(modelKey, key);
                if (previous != null) {
                    throw new IllegalArgumentException(where() + "keys '" + previous + "' and '" + key
                            + "' both map to model key '" + modelKey + "'");
                }
            }
        }
        List<String> missing = target.keySet().stream()
                .filter(k -> !checkpointKeyOf.containsKey(k))
                .toList();

        checkInitialised(checkpointKeyOf);
        checkShapes(checkpointKeyOf);
        if (options.strict() && (!missing.isEmpty() || !unexpected.isEmpty())) {
            throw new IllegalArgumentException(where() + "does not match the model (strict load): "
                    + listing("missing", missing) + "; " + listing("unexpected", unexpected));
        }

        List<String> loaded = new ArrayList<>();
        checkpointKeyOf.forEach((modelKey, key) -> {
            copy(source.tensors().get(key), target.get(modelKey).getArray());
            loaded.add(key);
        });
        return new LoadReport(List.copyOf(loaded), missing, List.copyOf(unexpected), List.copyOf(ignored));
    }

    private void checkInitialised(Map<String, String> checkpointKeyOf) {
        for (String modelKey : checkpointKeyOf.keySet()) {
            if (!target.get(modelKey).isInitialized()) {
                throw new IllegalStateException(where() + "model parameter '" + modelKey
                        + "' is not initialised: initialise the block before loading weights into it");
            }
        }
    }

    private void checkShapes(Map<String, String> checkpointKeyOf) {
        for (Map.Entry<String, String> e : checkpointKeyOf.entrySet()) {
            Shape have = source.tensors().get(e.getValue()).getShape();
            Shape want = target.get(e.getKey()).getArray().getShape();
            if (!have.equals(want)) {
                String renamed = e.getKey().equals(e.getValue()) ? "" : " (model parameter '" + e.getKey() + "')";
                throw new IllegalArgumentException(where() + "key '" + e.getValue() + "' has shape " + format(have)
                        + " but the model expects " + format(want) + renamed);
            }
        }
    }

    /** Converts, then copies into the parameter's own array (its own storage) on its device. */
    private static void copy(NDArray value, NDArray destination) {
        TensorCopy.into(destination, value);
    }

    private String where() {
        return "checkpoint " + source.source() + ": ";
    }

    static String format(Shape shape) {
        return LongStream.of(shape.getShape()).mapToObj(Long::toString).collect(Collectors.joining(", ", "(", ")"));
    }

    private static String listing(String what, List<String> keys) {
        if (keys.isEmpty()) {
            return "no " + what + " keys";
        }
        String first = keys.stream().limit(LISTED_KEYS).map(k -> "'" + k + "'").collect(Collectors.joining(", "));
        return keys.size() + " " + what + " keys (" + first + (keys.size() > LISTED_KEYS ? ", ..." : "") + ")";
    }
}
