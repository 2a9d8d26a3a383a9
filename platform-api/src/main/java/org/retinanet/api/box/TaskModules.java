package org.retinanet.api.box;

import org.retinanet.api.config.AssignerConfig;
import org.retinanet.api.config.BoxCoderConfig;
import org.retinanet.api.config.PriorGeneratorConfig;

/**
 * Builds the box toolkit's parts from their configs, each by the factory registered for the
 * config's id: how a head gets its prior generator, assigner and coder without depending on
 * the plugin that provides them. The {@link org.retinanet.api.registry.Registry} is one.
 */
public interface TaskModules {

    PriorGenerator priorGenerator(PriorGeneratorConfig config);

    Assigner assigner(AssignerConfig config);

    BoxCoder boxCoder(BoxCoderConfig config);

    /** The platform's built-ins only (anchor_generator, max_iou, delta_xywh): for heads built without a registry. */
    static TaskModules builtIn() {
        return org.retinanet.api.box.modules.BoxToolkitPlugin.builtIns();
    }
}
