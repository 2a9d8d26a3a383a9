package org.retinanet.backbones;

/** torchvision's BasicBlock (expansion 1): 3x3 conv (stride s), 3x3 conv. No style variant. */
final class BasicBlock extends ResidualBlock {

    BasicBlock(int inChannels, int planes, int stride, NormOptions norm, boolean frozen, boolean zeroInitResidual) {
        addBranchLayer(Convs.conv3x3(planes, stride, 1), norm.create(planes, frozen, false));
        addBranchLayer(Convs.conv3x3(planes, 1, 1), norm.create(planes, frozen, zeroInitResidual));
        if (stride != 1 || inChannels != planes) {
            setDownsample(new Downsample(planes, stride, norm, frozen));
        }
    }
}
