package org.retinanet.datasets;

/**
 * Implemented by this module's file-backed datasets whose config says {@code skipBadImages}: the
 * standard pipeline then skips (and reports) an image that cannot be decoded instead of failing.
 */
public interface BadImagePolicy {

    boolean skipBadImages();
}
