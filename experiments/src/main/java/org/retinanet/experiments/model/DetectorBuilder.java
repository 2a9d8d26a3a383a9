package org.retinanet.experiments.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.retinanet.api.loss.BoxLoss;
import org.retinanet.api.loss.ClassificationLoss;
import org.retinanet.api.model.Backbone;
import org.retinanet.api.model.DenseHead;
import org.retinanet.api.model.HeadContext;
import org.retinanet.api.model.Neck;
import org.retinanet.api.registry.Registry;
import org.retinanet.api.registry.UserException;
import org.retinanet.experiments.config.ModelConfig;

/** Assembles a {@link Detector} from config through the registry: the plugins never meet directly. */
public final class DetectorBuilder {

    private final Registry registry;

    public DetectorBuilder(Registry registry) {
        this.registry = registry;
    }

    /** Builds the detector's blocks (not yet initialised). */
    public Detector build(ModelConfig model, int numClasses) {
        require(model.backbone(), "model.backbone");
        require(model.neck(), "model.neck");
        require(model.head(), "model.head");
        require(model.lossCls(), "model.lossCls");
        require(model.lossBox(), "model.lossBox");
        ClassificationLoss cls = registry.classificationLoss(model.lossCls());
        BoxLoss box = registry.boxLoss(model.lossBox());
        Backbone backbone = registry.backbone(model.backbone());
        Neck neck = registry.neck(model.neck(), backbone.outputFeatures());
        DenseHead head = registry.head(
                model.head(),
                new HeadContext(numClasses, neck.outputFeatures(), cls, box, model.normalization(), registry));
        return new Detector(backbone, neck, head);
    }

    /**
     * Builds, initialises the parameters in {@code manager} and loads the pretrained backbone (if
     * configured). Returns the load messages to print.
     */
    public Built buildAndInitialize(ModelConfig model, int numClasses, NDManager manager) {
        Detector detector = build(model, numClasses);
        int s = model.inputSize();
        detector.initialize(manager, DataType.FLOAT32, new Shape(1, 3, s, s));
        List<String> notes = new ArrayList<>();
        try {
            detector.backbone()
                    .loadPretrained(manager)
                    .ifPresent(r -> notes.add(
                            "backbone checkpoint: loaded " + r.loaded().size() + " tensors"
                                    + (r.ignored().isEmpty() ? "" : ", ignored on purpose: " + summarize(r.ignored()))
                                    + (r.missing().isEmpty() ? "" : ", missing: " + summarize(r.missing()))
                                    + (r.unexpected().isEmpty() ? "" : ", unexpected: " + summarize(r.unexpected()))));
        } catch (java.io.IOException e) {
            throw new UserException(e.getMessage(), e);
        }
        if (model.init() != null && !model.init().isBlank()) {
            // the whole detector last: it overrides the backbone's pretrained weights
            notes.add(DetectorCheckpoint.load(detector, java.nio.file.Path.of(model.init()), manager)
                    .summary());
        }
        return new Built(detector, notes);
    }

    /** A detector and what loading reported. */
    public record Built(Detector detector, List<String> notes) {}

    static String summarize(List<String> keys) {
        if (keys.size() <= 4) {
            return String.join(", ", keys);
        }
        return String.join(", ", keys.subList(0, 4)) + " and " + (keys.size() - 4) + " more";
    }

    private static void require(Object value, String path) {
        if (value == null) {
            throw new UserException("config: " + path + " is missing");
        }
    }
}
