package org.retinanet.backbones;

/**
 * Pretrained weights for the backbone.
 *
 * @param checkpoint path of a checkpoint file (.pth as torch.save writes it, .safetensors, .npz):
 *     a torchvision ImageNet state dict, an mmdetection checkpoint (keys under {@code backbone.})
 *     or a converted caffe-style MSRA one; null = no pretrained weights
 * @param strict whether model keys missing from the file, and file keys with no place in the
 *     backbone, are errors (default true); classifier keys {@code fc.*} are always ignored
 */
public record InitConfig(String checkpoint, Boolean strict) {

    public InitConfig {
        if (strict == null) {
            strict = true;
        }
        if (checkpoint != null && checkpoint.isBlank()) {
            throw new IllegalArgumentException("init.checkpoint: must be a file path, got an empty string");
        }
        // checked here, when the config is read, so that the error names the config file
        if (checkpoint != null && checkpoint.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*")) {
            throw new IllegalArgumentException("init.checkpoint '" + checkpoint
                    + "': download URLs are not fetched; download the file and give its local path");
        }
    }

    public static InitConfig none() {
        return new InitConfig(null, true);
    }
}
