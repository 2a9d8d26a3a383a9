package org.retinanet.api.data;

/**
 * A ground-truth box in pixels, corners (x1, y1, x2, y2), with contiguous label. {@code ignore}
 * marks crowd regions (COCO {@code iscrowd}) and VOC {@code difficult}: never positives, and
 * anchors that overlap them are ignored. {@code area} is the dataset's own area (COCO's segment
 * area), which the COCO evaluator uses for its area ranges; {@code id} the annotation id.
 */
public record GtBox(long id, double x1, double y1, double x2, double y2, int label, boolean ignore, double area) {

    public double width() {
        return x2 - x1;
    }

    public double height() {
        return y2 - y1;
    }
}
