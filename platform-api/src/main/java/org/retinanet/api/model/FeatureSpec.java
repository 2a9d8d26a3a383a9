package org.retinanet.api.model;

/**
 * One feature map a component produces: its name (C3, P4, ...), channel count and stride in
 * input pixels. Necks and heads read these instead of hard-coding channels.
 */
public record FeatureSpec(String name, int channels, int stride) {

    public FeatureSpec {
        if (channels <= 0 || stride <= 0) {
            throw new IllegalArgumentException("feature " + name + ": channels and stride must be positive");
        }
    }
}
