package org.retinanet.api.data;

import java.util.List;

/** An image and its ground truth. */
public record ImageAnnotations(ImageInfo image, List<GtBox> boxes) {}
