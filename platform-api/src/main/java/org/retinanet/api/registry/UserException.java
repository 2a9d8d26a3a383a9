package org.retinanet.api.registry;

/**
 * Bad input from the user (a config, a file, an id): the command line prints the message as one
 * line and exits with code 2. The message names the file and the problem.
 */
public class UserException extends RuntimeException {

    public UserException(String message) {
        super(message);
    }

    public UserException(String message, Throwable cause) {
        super(message, cause);
    }
}
