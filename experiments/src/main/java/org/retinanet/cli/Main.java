package org.retinanet.cli;

import java.io.PrintWriter;
import org.retinanet.api.registry.UserException;
import org.retinanet.experiments.engine.ConvPath;
import picocli.CommandLine;

/** Entry point of the {@code retinanet} command. */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code: 0 ok, 2 bad input, 1 internal failure. */
    public static int run(String... args) {
        Defaults.apply();
        RootCommand root = new RootCommand();
        CommandLine cli = new CommandLine(root).setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> handle(e, cmd.getErr(), root.verbose));
        cli.setParameterExceptionHandler((e, a) -> {
            e.getCommandLine().getErr().println("error: " + e.getMessage());
            e.getCommandLine()
                    .getErr()
                    .println("(see: retinanet " + e.getCommandLine().getCommandName() + " --help)");
            return 2;
        });
        return cli.execute(args);
    }

    static int handle(Exception e, PrintWriter err, boolean verbose) {
        UserException user = findUserError(e);
        if (user != null) {
            err.println("error: " + user.getMessage());
            if (verbose) {
                user.printStackTrace(err);
            }
            err.flush();
            return 2;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConvPath.UnusableEngineException u) {
                err.println("error: " + u.getMessage());
                err.flush();
                return 1;
            }
        }
        err.println("internal error: " + e);
        if (verbose) {
            e.printStackTrace(err);
        } else {
            err.println("(run with --verbose for the stack trace)");
        }
        err.flush();
        return 1;
    }

    private static UserException findUserError(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UserException u) {
                return u;
            }
        }
        return null;
    }
}
