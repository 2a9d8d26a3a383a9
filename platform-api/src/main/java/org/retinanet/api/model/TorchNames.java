package org.retinanet.api.model;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * PyTorch-style names ({@code layer1.0.bn1.running_mean}) for the parameters of a DJL block tree.
 *
 * <p>DJL stores a child under {@code "%02d" + name}; the two-digit prefix is dropped and names are
 * joined with dots. DJL's parameter names are mapped to torch's ({@code gamma} to {@code weight},
 * {@code beta} to {@code bias}, {@code runningMean} to {@code running_mean}, {@code runningVar} to
 * {@code running_var}), so a block whose children carry torch's module names produces exactly the
 * keys of the corresponding torch {@code state_dict} (without {@code num_batches_tracked}).
 */
public final class TorchNames {

    private TorchNames() {}

    /** Every parameter of {@code block}, in registration order, keyed by its torch-style name. */
    public static Map<String, Parameter> parameters(Block block) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collect(block, "", out);
        return out;
    }

    private static void collect(Block block, String prefix, Map<String, Parameter> out) {
        for (Pair<String, Parameter> p : block.getDirectParameters()) {
            out.put(prefix + torchParameterName(p.getKey()), p.getValue());
        }
        for (Pair<String, Block> child : block.getChildren()) {
            collect(child.getValue(), prefix + childName(child.getKey()) + ".", out);
        }
    }

    /** Strips DJL's two-digit ordering prefix from a child key. */
    public static String childName(String djlKey) {
        if (djlKey.length() > 2 && Character.isDigit(djlKey.charAt(0)) && Character.isDigit(djlKey.charAt(1))) {
            return djlKey.substring(2);
        }
        return djlKey;
    }

    public static String torchParameterName(String djlName) {
        return switch (djlName) {
            case "gamma" -> "weight";
            case "beta" -> "bias";
            case "runningMean" -> "running_mean";
            case "runningVar" -> "running_var";
            default -> djlName;
        };
    }
}
