package org.retinanet.datasets.shapes;

/** The drawable classes, each with its pixel test and the base hue of its colours. */
enum ShapeKind {
    RECTANGLE("rectangle", 0f),
    ELLIPSE("ellipse", 120f),
    TRIANGLE("triangle", 230f),
    CROSS("cross", 55f);

    final String label;
    /** Colours are drawn around this hue (degrees), so colour helps but shape decides. */
    final float hue;

    ShapeKind(String label, float hue) {
        this.label = label;
        this.hue = hue;
    }

    static ShapeKind of(String name) {
        for (ShapeKind k : values()) {
            if (k.label.equals(name)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown shape " + name);
    }

    /**
     * Whether the point (u, v), in box-relative coordinates 0..1, is inside the shape. Every shape
     * touches all four sides of its box, so the box is tight.
     */
    boolean contains(double u, double v) {
        return switch (this) {
            case RECTANGLE -> true;
            case ELLIPSE -> (2 * u - 1) * (2 * u - 1) + (2 * v - 1) * (2 * v - 1) <= 1;
            case TRIANGLE -> Math.abs(u - 0.5) <= v / 2; // apex at the top centre, base at the bottom
            case CROSS -> Math.abs(u - 0.5) <= 1.0 / 6 || Math.abs(v - 0.5) <= 1.0 / 6;
        };
    }
}
