package org.retinanet.backbones;

import java.util.Collection;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.retinanet.api.model.CheckpointKeys;
import org.retinanet.api.statedict.LoadOptions;

/**
 * How checkpoint keys of the three sources we read meet the backbone's own (torchvision) keys.
 *
 * <ul>
 *   <li>torchvision ImageNet state dicts and converted caffe-style MSRA ones: the same names;
 *       the classifier {@code fc.*} is ignored on purpose.
 *   <li>mmdetection checkpoints: {@code backbone.<key>} (the neck's and head's keys are ignored
 *       on purpose); mmdetection names GroupNorm layers {@code gn1..gn3} where torchvision says
 *       {@code bn1..bn3}.
 *   <li>torchvision detector checkpoints: {@code backbone.body.<key>}.
 * </ul>
 * A leading {@code module.} (DataParallel) is dropped, as mmcv's loader does.
 */
final class CheckpointImport {

    private static final Pattern GN_NAME = Pattern.compile("(^|\\.)gn(\\d)\\.");
    private static final String[] DETECTOR_PREFIXES = {"backbone.body.", "backbone."};

    private final NormType norm;

    CheckpointImport(NormType norm) {
        this.norm = norm;
    }

    static boolean isClassifier(String key) {
        return key.startsWith("fc.");
    }

    /** A key relative to the backbone, in any flavour, to ours; null for the classifier. */
    String ownKey(String key) {
        if (isClassifier(key)) {
            return null;
        }
        return norm == NormType.GN ? GN_NAME.matcher(key).replaceAll("$1bn$2.") : key;
    }

    /** {@link CheckpointKeys#importKey}: the platform has already stripped {@code backbone.}. */
    String importKey(String flavour, String key) {
        if (CheckpointKeys.TORCHVISION.equals(flavour) && key.startsWith("body.")) {
            key = key.substring("body.".length());
        }
        return ownKey(key);
    }

    /**
     * Load options for a file with these keys: a whole-detector checkpoint is recognised by its
     * {@code backbone.} prefix, and then only those keys are the backbone's.
     */
    LoadOptions options(Collection<String> fileKeys, boolean strict) {
        String prefix = detectorPrefix(fileKeys);
        Function<String, String> strip = key -> {
            if (key.startsWith("module.")) {
                key = key.substring("module.".length());
            }
            if (prefix.isEmpty()) {
                return key;
            }
            return key.startsWith(prefix) ? key.substring(prefix.length()) : null;
        };
        Function<String, String> rename = key -> {
            String relative = strip.apply(key);
            return relative == null ? null : ownKey(relative);
        };
        Predicate<String> ignored = key -> {
            if (key.endsWith("num_batches_tracked")) {
                return true;
            }
            String relative = strip.apply(key);
            return relative == null || isClassifier(relative);
        };
        return new LoadOptions(rename, ignored, strict);
    }

    static String detectorPrefix(Collection<String> fileKeys) {
        for (String prefix : DETECTOR_PREFIXES) {
            for (String key : fileKeys) {
                String k = key.startsWith("module.") ? key.substring("module.".length()) : key;
                if (k.startsWith(prefix)) {
                    return prefix;
                }
            }
        }
        return "";
    }
}
