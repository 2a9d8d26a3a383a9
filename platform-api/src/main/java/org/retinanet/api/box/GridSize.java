package org.retinanet.api.box;

/** Height and width of one feature map, in cells. */
public record GridSize(int height, int width) {

    public GridSize {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("feature map size must be positive, got " + height + "x" + width);
        }
    }

    public int cells() {
        return height * width;
    }
}
