package org.retinanet.api.box.modules;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.retinanet.api.box.BoxCoder;

/**
 * (dx, dy, dw, dh) box coding relative to anchors, on (..., 4) arrays of any leading shape, as
 * NDArray ops on the inputs' device. No "+1" anywhere: widths are x2 - x1.
 *
 * <p>Encode: dx = (gx - ax) / aw, dw = log(gw / aw), then (d - mean) / std. Decode: d * std + mean,
 * dw and dh clamped at maxRatio (both sides, or from above only as torchvision does), then the
 * centre-size form back to corners with torchvision's operation order.
 */
public final class DeltaXywhCoder implements BoxCoder {

    private final DeltaXywhCoderConfig config;
    private final boolean identity;

    public DeltaXywhCoder(DeltaXywhCoderConfig config) {
        this.config = config;
        this.identity = config.means().stream().allMatch(v -> v == 0.0)
                && config.stds().stream().allMatch(v -> v == 1.0);
    }

    public DeltaXywhCoderConfig config() {
        return config;
    }

    /** Deltas (..., 4) that take {@code anchors} to {@code boxes}. */
    @Override
    public NDArray encode(NDArray anchors, NDArray boxes) {
        NDArray aw = anchors.get("..., 2").sub(anchors.get("..., 0"));
        NDArray ah = anchors.get("..., 3").sub(anchors.get("..., 1"));
        NDArray ax = anchors.get("..., 0").add(aw.mul(0.5f));
        NDArray ay = anchors.get("..., 1").add(ah.mul(0.5f));
        NDArray gw = boxes.get("..., 2").sub(boxes.get("..., 0"));
        NDArray gh = boxes.get("..., 3").sub(boxes.get("..., 1"));
        NDArray gx = boxes.get("..., 0").add(gw.mul(0.5f));
        NDArray gy = boxes.get("..., 1").add(gh.mul(0.5f));
        NDArray deltas = NDArrays.stack(
                new ai.djl.ndarray.NDList(
                        gx.sub(ax).div(aw),
                        gy.sub(ay).div(ah),
                        gw.div(aw).log(),
                        gh.div(ah).log()),
                -1);
        if (identity) {
            return deltas;
        }
        return deltas.sub(vector(deltas.getManager(), config.means())).div(vector(deltas.getManager(), config.stds()));
    }

    /**
     * Boxes (..., 4) from {@code deltas} (..., 4) and {@code anchors} broadcastable to them; clipped
     * to [0, width] x [0, height] when {@code clipBorder} is on and a size is given.
     */
    @Override
    public NDArray decode(NDArray anchors, NDArray deltas, Integer imageHeight, Integer imageWidth) {
        NDArray d = deltas;
        if (!identity) {
            d = d.mul(vector(d.getManager(), config.stds())).add(vector(d.getManager(), config.means()));
        }
        float max = (float) (double) config.maxRatio();
        NDArray dx = d.get("..., 0");
        NDArray dy = d.get("..., 1");
        NDArray dw = config.symmetricClamp()
                ? d.get("..., 2").clip(-max, max)
                : d.get("..., 2").minimum(max);
        NDArray dh = config.symmetricClamp()
                ? d.get("..., 3").clip(-max, max)
                : d.get("..., 3").minimum(max);
        NDArray aw = anchors.get("..., 2").sub(anchors.get("..., 0"));
        NDArray ah = anchors.get("..., 3").sub(anchors.get("..., 1"));
        NDArray ax = anchors.get("..., 0").add(aw.mul(0.5f));
        NDArray ay = anchors.get("..., 1").add(ah.mul(0.5f));
        NDArray cx = dx.mul(aw).add(ax);
        NDArray cy = dy.mul(ah).add(ay);
        NDArray halfW = dw.exp().mul(aw).mul(0.5f);
        NDArray halfH = dh.exp().mul(ah).mul(0.5f);
        NDArray x1 = cx.sub(halfW);
        NDArray y1 = cy.sub(halfH);
        NDArray x2 = cx.add(halfW);
        NDArray y2 = cy.add(halfH);
        if (config.clipBorder() && imageHeight != null && imageWidth != null) {
            x1 = x1.clip(0f, imageWidth.floatValue());
            x2 = x2.clip(0f, imageWidth.floatValue());
            y1 = y1.clip(0f, imageHeight.floatValue());
            y2 = y2.clip(0f, imageHeight.floatValue());
        }
        return NDArrays.stack(new ai.djl.ndarray.NDList(x1, y1, x2, y2), -1);
    }

    private static NDArray vector(NDManager manager, List<Double> values) {
        float[] v = new float[values.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = values.get(i).floatValue();
        }
        return manager.create(v);
    }
}
