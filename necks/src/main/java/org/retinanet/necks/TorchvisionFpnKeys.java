package org.retinanet.necks;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * torchvision 0.14 FeaturePyramidNetwork keys to mmdetection's. torchvision wraps each conv in
 * Conv2dNormActivation ({@code inner_blocks.i.0} conv, {@code inner_blocks.i.1} norm); before 0.13
 * the conv was the block itself ({@code inner_blocks.i.weight}), which torchvision still accepts
 * through its version-2 {@code _load_from_state_dict}, so both are accepted here.
 */
final class TorchvisionFpnKeys {

    private static final Pattern BLOCK =
            Pattern.compile("(inner_blocks|layer_blocks)\\.(\\d+)\\.(?:(0|1)\\.)?(weight|bias)");
    private static final Pattern EXTRA = Pattern.compile("extra_blocks\\.(p6|p7)\\.(weight|bias)");

    private TorchvisionFpnKeys() {}

    /**
     * @param usedInputs number of backbone levels with a lateral (the first extra conv is
     *     {@code fpn_convs.usedInputs})
     * @return our key, or {@code key} unchanged when it is no FPN key (reported as unexpected)
     */
    static String toNative(String key, int usedInputs) {
        String k = key.startsWith("fpn.") ? key.substring(4) : key;
        Matcher m = BLOCK.matcher(k);
        if (m.matches()) {
            String list = m.group(1).equals("inner_blocks") ? "lateral_convs" : "fpn_convs";
            String module = "1".equals(m.group(3)) ? "gn" : "conv";
            return list + "." + m.group(2) + "." + module + "." + m.group(4);
        }
        m = EXTRA.matcher(k);
        if (m.matches()) {
            int index = usedInputs + (m.group(1).equals("p6") ? 0 : 1);
            return "fpn_convs." + index + ".conv." + m.group(2);
        }
        return key;
    }
}
