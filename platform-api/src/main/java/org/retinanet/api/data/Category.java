package org.retinanet.api.data;

/** A class: contiguous label (0..K-1, sorted by the dataset's own id), the dataset's id and name. */
public record Category(int label, long datasetId, String name) {}
