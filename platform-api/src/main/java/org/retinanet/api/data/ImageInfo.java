package org.retinanet.api.data;

import java.nio.file.Path;

/** One image of a dataset: its dataset id, file (null for in-memory images) and size in pixels. */
public record ImageInfo(long id, Path file, int width, int height) {}
