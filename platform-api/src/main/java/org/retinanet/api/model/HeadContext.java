package org.retinanet.api.model;

import java.util.List;
import org.retinanet.api.box.TaskModules;
import org.retinanet.api.loss.BoxLoss;
import org.retinanet.api.loss.ClassificationLoss;
import org.retinanet.api.loss.LossNormalization;

/**
 * What a head needs beyond its own config: the class count, the pyramid it runs on and the
 * training losses (built from their own plugins by the platform), and the box toolkit's
 * registered prior generators, assigners and coders ({@link TaskModules}).
 */
public record HeadContext(
        int numClasses,
        List<FeatureSpec> inputs,
        ClassificationLoss classificationLoss,
        BoxLoss boxLoss,
        LossNormalization normalization,
        TaskModules taskModules) {

    public HeadContext {
        taskModules = taskModules == null ? TaskModules.builtIn() : taskModules;
    }

    /** A context whose box toolkit is the platform's built-ins. */
    public HeadContext(
            int numClasses,
            List<FeatureSpec> inputs,
            ClassificationLoss classificationLoss,
            BoxLoss boxLoss,
            LossNormalization normalization) {
        this(numClasses, inputs, classificationLoss, boxLoss, normalization, null);
    }
}
