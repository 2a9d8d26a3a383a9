package org.retinanet.experiments.tensorboard;

import java.io.IOException;
import java.nio.file.Path;

/** An event file record whose CRC or content is wrong; names the file and the record's byte offset. */
public final class CorruptEventFileException extends IOException {

    private final Path file;
    private final long offset;

    public CorruptEventFileException(Path file, long offset, String problem) {
        super("corrupt event file " + file + ": record at byte offset " + offset + ": " + problem);
        this.file = file;
        this.offset = offset;
    }

    public Path file() {
        return file;
    }

    public long offset() {
        return offset;
    }
}
