package org.retinanet.api.statedict;

import java.io.IOException;
import java.nio.file.Path;

/** A checkpoint file that cannot be read: the message names the file and what is wrong with it. */
public class StateDictFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;

    public StateDictFormatException(Path file, String problem) {
        super("checkpoint " + file + ": " + problem);
        this.file = file;
    }

    public StateDictFormatException(Path file, String problem, Throwable cause) {
        super("checkpoint " + file + ": " + problem, cause);
        this.file = file;
    }

    /** The file that could not be read. */
    public Path file() {
        return file;
    }
}
