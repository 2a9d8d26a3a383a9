package org.retinanet.api.spi;

import org.retinanet.api.config.AssignerConfig;
import org.retinanet.api.config.BackboneConfig;
import org.retinanet.api.config.BoxCoderConfig;
import org.retinanet.api.config.BoxLossConfig;
import org.retinanet.api.config.ClassificationLossConfig;
import org.retinanet.api.config.ComponentConfig;
import org.retinanet.api.config.DatasetConfig;
import org.retinanet.api.config.EvaluatorConfig;
import org.retinanet.api.config.HeadConfig;
import org.retinanet.api.config.HookConfig;
import org.retinanet.api.config.NeckConfig;
import org.retinanet.api.config.PipelineConfig;
import org.retinanet.api.config.PriorGeneratorConfig;

/** The kinds of component a plugin can contribute; each has its own id namespace and config base type. */
public enum Kind {
    BACKBONE("backbone", BackboneConfig.class),
    NECK("neck", NeckConfig.class),
    HEAD("head", HeadConfig.class),
    CLASSIFICATION_LOSS("classification loss", ClassificationLossConfig.class),
    BOX_LOSS("box loss", BoxLossConfig.class),
    DATASET("dataset", DatasetConfig.class),
    PIPELINE("pipeline", PipelineConfig.class),
    EVALUATOR("evaluator", EvaluatorConfig.class),
    HOOK("hook", HookConfig.class),
    PRIOR_GENERATOR("prior generator", PriorGeneratorConfig.class, "anchor_generator"),
    ASSIGNER("assigner", AssignerConfig.class, "max_iou"),
    BOX_CODER("box coder", BoxCoderConfig.class, "delta_xywh");

    private final String displayName;
    private final Class<? extends ComponentConfig> configBase;
    private final String defaultId;

    Kind(String displayName, Class<? extends ComponentConfig> configBase) {
        this(displayName, configBase, null);
    }

    Kind(String displayName, Class<? extends ComponentConfig> configBase, String defaultId) {
        this.displayName = displayName;
        this.configBase = configBase;
        this.defaultId = defaultId;
    }

    /**
     * The id a config of this kind gets when it names none, or null when {@code type} is required.
     * Only the box toolkit's kinds have one (the platform's built-ins), so that head configs
     * written before they could be chosen (no {@code type} under {@code anchors}, {@code assigner},
     * {@code coder}) load unchanged.
     */
    public String defaultId() {
        return defaultId;
    }

    /** Lower-case name used in messages ("unknown backbone 'x'"). */
    public String displayName() {
        return displayName;
    }

    /** The Jackson base type whose {@code type} field selects a factory of this kind. */
    public Class<? extends ComponentConfig> configBase() {
        return configBase;
    }
}
