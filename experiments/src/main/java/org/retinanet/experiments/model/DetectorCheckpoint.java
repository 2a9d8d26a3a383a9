package org.retinanet.experiments.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.retinanet.api.model.CheckpointKeys;
import org.retinanet.api.model.TorchNames;
import org.retinanet.api.registry.UserException;
import org.retinanet.api.statedict.LoadOptions;
import org.retinanet.api.statedict.LoadReport;
import org.retinanet.api.statedict.StateDict;

/**
 * Loads a whole-detector checkpoint into a {@link Detector}, whatever its flavour:
 *
 * <ul>
 *   <li>torchvision ({@code torch.save(model.state_dict())} of a {@code RetinaNet}): keys
 *       {@code backbone.body.*}, {@code backbone.fpn.*}, {@code head.*};
 *   <li>mmdetection ({@code {"meta", "state_dict"}}, or our own native keys as written by
 *       {@code retinanet convert}): keys {@code backbone.*}, {@code neck.*}, {@code bbox_head.*}.
 * </ul>
 *
 * The flavour is recognised from the key prefixes; each key loses its component prefix and is
 * mapped by that component's {@link CheckpointKeys#importKey}. The load is strict: every model
 * parameter must be filled and every checkpoint key must find its place, except the ones ignored
 * on purpose ({@code num_batches_tracked}, keys a component drops, GHM loss buffers). A leading
 * {@code module.} (DataParallel) is dropped.
 */
public final class DetectorCheckpoint {

    private static final String BACKBONE = "backbone.";
    private static final String NECK = "neck.";
    private static final String HEAD = "bbox_head.";
    private static final String TV_BODY = "backbone.body.";
    private static final String TV_FPN = "backbone.fpn.";
    private static final String TV_HEAD = "head.";

    private DetectorCheckpoint() {}

    /** What a load did, for the one line the commands print. */
    public record Result(Path file, String flavour, LoadReport report) {

        public String summary() {
            LoadReport r = report;
            return "weights " + file + " (" + flavour + " keys): loaded "
                    + r.loaded().size() + " tensors"
                    + (r.ignored().isEmpty() ? "" : ", ignored on purpose: " + DetectorBuilder.summarize(r.ignored()))
                    + (r.missing().isEmpty() ? "" : ", missing: " + DetectorBuilder.summarize(r.missing()))
                    + (r.unexpected().isEmpty() ? "" : ", unexpected: " + DetectorBuilder.summarize(r.unexpected()));
        }
    }

    /**
     * Reads {@code file} and copies it into the (initialised) detector; nothing is copied unless
     * every check passes.
     *
     * @throws UserException naming the file and the problem: unreadable file, unknown key layout,
     *     a shape mismatch (the key and both shapes), missing or unexpected keys
     */
    public static Result load(Detector detector, Path file, NDManager manager) {
        try (NDManager scratch = manager.newSubManager();
                StateDict state = StateDict.read(file, scratch)) {
            String flavour = flavourOf(state.tensors().keySet(), file);
            Map<String, Parameter> target = TorchNames.parameters(detector);
            Function<String, String> rename = renamer(detector, flavour);
            checkHeadShapes(detector, state, target, rename, file);
            Predicate<String> ignored = key ->
                    key.endsWith("num_batches_tracked") || isLossBuffer(key) && !target.containsKey(stripModule(key));
            try {
                LoadReport report = state.loadInto(target, new LoadOptions(rename, ignored, true));
                return new Result(file, flavour, report);
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new UserException(e.getMessage(), e);
            }
        } catch (NoSuchFileException e) {
            throw new UserException("weights " + file + ": no such file", e);
        } catch (IOException e) {
            // StateDictFormatException's message already names the file
            String m = e.getMessage() == null ? e.toString() : e.getMessage();
            throw new UserException(m.contains(file.toString()) ? m : "weights " + file + ": " + m, e);
        }
    }

    /**
     * {@link CheckpointKeys#TORCHVISION} or {@link CheckpointKeys#MMDET}, from the keys' prefixes.
     *
     * @throws UserException when the keys are neither (a backbone-only or classifier checkpoint, say)
     */
    public static String flavourOf(Collection<String> keys, Path file) {
        boolean torchvision = false;
        boolean mmdet = false;
        for (String raw : keys) {
            String key = stripModule(raw);
            if (key.startsWith(TV_BODY) || key.startsWith(TV_FPN) || key.startsWith(TV_HEAD)) {
                torchvision = true;
            } else if (key.startsWith(BACKBONE) || key.startsWith(NECK) || key.startsWith(HEAD)) {
                mmdet = true;
            }
        }
        if (torchvision) {
            return CheckpointKeys.TORCHVISION;
        }
        if (mmdet) {
            return CheckpointKeys.MMDET;
        }
        String first = keys.stream().limit(3).map(k -> "'" + k + "'").collect(Collectors.joining(", "));
        throw new UserException("weights " + file + ": not a whole-detector checkpoint: expected torchvision keys"
                + " (backbone.body.*, backbone.fpn.*, head.*) or mmdetection keys (backbone.*, neck.*, bbox_head.*), found "
                + (keys.isEmpty() ? "no tensors" : first + (keys.size() > 3 ? ", ..." : ""))
                + " (for backbone-only ImageNet weights use model.backbone.init.checkpoint)");
    }

    /** Checkpoint key of {@code flavour} to the detector's native key; null drops it on purpose. */
    public static Function<String, String> renamer(Detector detector, String flavour) {
        return raw -> {
            String key = stripModule(raw);
            if (CheckpointKeys.TORCHVISION.equals(flavour)) {
                if (key.startsWith(TV_BODY)) {
                    return prefixed(BACKBONE, detector.backbone().importKey(flavour, key.substring(BACKBONE.length())));
                }
                if (key.startsWith(TV_FPN)) {
                    return prefixed(NECK, detector.neck().importKey(flavour, key.substring(BACKBONE.length())));
                }
                if (key.startsWith(TV_HEAD)) {
                    return prefixed(HEAD, detector.head().importKey(flavour, key.substring(TV_HEAD.length())));
                }
                return key;
            }
            if (key.startsWith(BACKBONE)) {
                return prefixed(BACKBONE, detector.backbone().importKey(flavour, key.substring(BACKBONE.length())));
            }
            if (key.startsWith(NECK)) {
                return prefixed(NECK, detector.neck().importKey(flavour, key.substring(NECK.length())));
            }
            if (key.startsWith(HEAD)) {
                return prefixed(HEAD, detector.head().importKey(flavour, key.substring(HEAD.length())));
            }
            return key;
        };
    }

    /**
     * A head of another class or anchor count is the usual mistake (a COCO checkpoint on a
     * 20-class config): say so in the one line, with both shapes and what they mean. The head's
     * output convs are told apart by their output channels: classes x anchors, and 4 x anchors.
     */
    private static void checkHeadShapes(
            Detector detector,
            StateDict state,
            Map<String, Parameter> target,
            Function<String, String> rename,
            Path file) {
        long classes = detector.head().numClasses();
        long anchors = detector.head().anchorsPerLocation();
        Shape clsHave = null;
        Shape regHave = null;
        String firstBad = null;
        for (Map.Entry<String, NDArray> e : state.tensors().entrySet()) {
            String modelKey = rename.apply(e.getKey());
            if (modelKey == null
                    || !modelKey.startsWith(HEAD)
                    || !modelKey.endsWith(".weight")
                    || !target.containsKey(modelKey)
                    || !target.get(modelKey).isInitialized()) {
                continue;
            }
            Shape want = target.get(modelKey).getArray().getShape();
            Shape have = e.getValue().getShape();
            if (want.dimension() != 4 || have.dimension() != 4) {
                continue;
            }
            boolean isCls = want.get(0) == classes * anchors && (classes != 4 || modelKey.contains("cls"));
            boolean isReg = want.get(0) == 4 * anchors && (classes != 4 || modelKey.contains("reg"));
            if (isCls) {
                clsHave = have;
            } else if (isReg) {
                regHave = have;
            } else {
                continue;
            }
            if (firstBad == null && !have.equals(want)) {
                firstBad = e.getKey();
            }
        }
        if (firstBad == null) {
            return;
        }
        String modelKey = rename.apply(firstBad);
        Shape want = target.get(modelKey).getArray().getShape();
        Shape have = state.tensors().get(firstBad).getShape();
        String theirs = "";
        if (clsHave != null
                && regHave != null
                && regHave.get(0) % 4 == 0
                && regHave.get(0) > 0
                && clsHave.get(0) % (regHave.get(0) / 4) == 0) {
            long a = regHave.get(0) / 4;
            theirs = ", the checkpoint's " + clsHave.get(0) / a + " classes x " + a + " anchors";
        }
        String renamed = modelKey.equals(firstBad) ? "" : " (model parameter '" + modelKey + "')";
        throw new UserException("checkpoint " + file + ": key '" + firstBad + "' has shape " + format(have)
                + " but the model expects " + format(want) + renamed + ": the model's head has " + classes
                + " classes x "
                + anchors + " anchors" + theirs + "; set model.numClasses (or head.anchors) to match the checkpoint");
    }

    private static boolean isLossBuffer(String raw) {
        String key = stripModule(raw);
        return key.startsWith(HEAD + "loss_cls.") || key.startsWith(HEAD + "loss_bbox.");
    }

    private static String prefixed(String prefix, String relative) {
        return relative == null ? null : prefix + relative;
    }

    private static String stripModule(String key) {
        return key.startsWith("module.") ? key.substring("module.".length()) : key;
    }

    static String format(Shape shape) {
        return LongStream.of(shape.getShape()).mapToObj(Long::toString).collect(Collectors.joining(", ", "(", ")"));
    }
}
