package org.retinanet.backbones;

/**
 * torchvision's Bottleneck (expansion 4): 1x1 reduce to {@code width}, 3x3 grouped conv, 1x1
 * expand to planes * 4. The pytorch style strides the 3x3 conv2, the caffe style the 1x1 conv1.
 */
final class Bottleneck extends ResidualBlock {

    static final int EXPANSION = 4;

    Bottleneck(
            int inChannels,
            int planes,
            int width,
            int groups,
            int stride,
            Style style,
            NormOptions norm,
            boolean frozen,
            boolean zeroInitResidual) {
        int outChannels = planes * EXPANSION;
        int conv1Stride = style == Style.CAFFE ? stride : 1;
        int conv2Stride = style == Style.CAFFE ? 1 : stride;
        addBranchLayer(Convs.conv1x1(width, conv1Stride), norm.create(width, frozen, false));
        addBranchLayer(Convs.conv3x3(width, conv2Stride, groups), norm.create(width, frozen, false));
        addBranchLayer(Convs.conv1x1(outChannels, 1), norm.create(outChannels, frozen, zeroInitResidual));
        if (stride != 1 || inChannels != outChannels) {
            setDownsample(new Downsample(outChannels, stride, norm, frozen));
        }
    }
}
