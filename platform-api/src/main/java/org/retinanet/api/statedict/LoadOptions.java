package org.retinanet.api.statedict;

import java.util.function.Function;
import java.util.function.Predicate;

/**
 * How checkpoint keys meet model keys.
 *
 * @param rename maps a checkpoint key to the model's key (identity by default); return null to
 *     drop the key
 * @param ignoredOnPurpose checkpoint keys that are expected to have no place in the model (a
 *     classifier's {@code fc.*}, {@code num_batches_tracked}); reported, never an error
 * @param strict whether missing or unexpected keys are an error
 */
public record LoadOptions(Function<String, String> rename, Predicate<String> ignoredOnPurpose, boolean strict) {

    public static LoadOptions strictDefaults() {
        return new LoadOptions(Function.identity(), k -> k.endsWith("num_batches_tracked"), true);
    }
}
