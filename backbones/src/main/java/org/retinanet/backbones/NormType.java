package org.retinanet.backbones;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The normalisation layer after every conv of the backbone. */
public enum NormType {
    /** torch BatchNorm2d (running statistics; see {@code normEval}). */
    @JsonProperty("bn")
    BN,
    /** torchvision FrozenBatchNorm2d: a fixed affine map, nothing trains. */
    @JsonProperty("frozen_bn")
    FROZEN_BN,
    /** torch GroupNorm with {@code normGroups} groups. */
    @JsonProperty("gn")
    GN
}
