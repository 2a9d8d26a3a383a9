package org.retinanet.api.data;

/**
 * One detected box in original-image pixels, corners (x1, y1, x2, y2), with contiguous label.
 * Doubles, so that values read from a COCO results file evaluate exactly as pycocotools does.
 */
public record Detection(long imageId, int label, double score, double x1, double y1, double x2, double y2) {}
