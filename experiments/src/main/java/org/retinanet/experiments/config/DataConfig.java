package org.retinanet.experiments.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Training and validation data. */
public record DataConfig(SplitConfig train, SplitConfig val) {

    public DataConfig(@JsonProperty("train") SplitConfig train, @JsonProperty("val") SplitConfig val) {
        this.train = train;
        this.val = val;
    }
}
