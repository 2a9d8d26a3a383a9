package org.retinanet.losses.box;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import org.retinanet.api.loss.BoxInput;
import org.retinanet.api.loss.BoxLoss;
import org.retinanet.losses.Scope;

/**
 * GIoU loss 1 - GIoU on decoded (x1, y1, x2, y2) boxes, per anchor, multiplied by the weight
 * (torchvision's generalized_box_iou_loss: IoU = I / (U + eps), GIoU = IoU - (C - U) / (C + eps)).
 * The eps keeps zero-size boxes finite (loss 1 for two empty boxes at the same place).
 */
public final class GiouLoss implements BoxLoss {

    private final double eps;
    private final double lossWeight;

    public GiouLoss(double eps, double lossWeight) {
        this.eps = eps;
        this.lossWeight = lossWeight;
    }

    @Override
    public boolean needsDecodedBoxes() {
        return true;
    }

    @Override
    public NDArray compute(BoxInput input) {
        BoxInputs.check("giou", input, true);
        try (Scope scope = Scope.of(input.predBoxes(), input.targetBoxes(), input.weights())) {
            NDArray p = input.predBoxes();
            NDArray t = input.targetBoxes().toType(p.getDataType(), false);
            NDArray px1 = coord(p, 0);
            NDArray py1 = coord(p, 1);
            NDArray px2 = coord(p, 2);
            NDArray py2 = coord(p, 3);
            NDArray tx1 = coord(t, 0);
            NDArray ty1 = coord(t, 1);
            NDArray tx2 = coord(t, 2);
            NDArray ty2 = coord(t, 3);

            NDArray iw = px2.minimum(tx2).sub(px1.maximum(tx1)).maximum(0);
            NDArray ih = py2.minimum(ty2).sub(py1.maximum(ty1)).maximum(0);
            NDArray inter = iw.mul(ih);
            NDArray union = px2.sub(px1)
                    .mul(py2.sub(py1))
                    .add(tx2.sub(tx1).mul(ty2.sub(ty1)))
                    .sub(inter);
            NDArray iou = inter.div(union.add(eps));
            NDArray enclosing =
                    px2.maximum(tx2).sub(px1.minimum(tx1)).mul(py2.maximum(ty2).sub(py1.minimum(ty1)));
            NDArray giou = iou.sub(enclosing.sub(union).div(enclosing.add(eps)));
            NDArray perAnchor = giou.neg().add(1).mul(input.weights()).mul(lossWeight);
            return scope.keep(perAnchor);
        }
    }

    private static NDArray coord(NDArray boxes, int i) {
        return boxes.get(new NDIndex("..., {}", i));
    }
}
