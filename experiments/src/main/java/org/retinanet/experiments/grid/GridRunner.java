package org.retinanet.experiments.grid;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.retinanet.api.registry.Registry;
import org.retinanet.experiments.run.RunDirectory;
import org.retinanet.experiments.train.StopRequest;
import org.retinanet.experiments.train.StopSignal;

/**
 * The local executor: each cell is a {@code retinanet train} in its own JVM process (DJL's
 * gradient collector is global per process, and a crashed cell must not take the grid down), at
 * most {@code jobs} at once, one GPU each when GPUs exist. Finished cells are skipped on a re-run
 * and unfinished ones resume from their latest checkpoint. A stop request (SIGTERM, Ctrl-C) is
 * passed on to the running cells, which checkpoint and exit; no new cell starts.
 */
public final class GridRunner {

    private final GridSpec spec;
    private final Path workDir;
    private final int jobs;
    private final List<Path> pluginDirs;
    private final Registry registry;
    private final int gpus;
    private final StopRequest stop;

    /** How a cell ended: {@code finished}, {@code failed} or {@code stopped}. */
    public record Outcome(GridCell cell, String status, String detail) {}

    public GridRunner(GridSpec spec, Path workDir, int jobs, List<Path> pluginDirs, Registry registry, int gpus) {
        this(spec, workDir, jobs, pluginDirs, registry, gpus, StopRequest.NEVER);
    }

    public GridRunner(
            GridSpec spec,
            Path workDir,
            int jobs,
            List<Path> pluginDirs,
            Registry registry,
            int gpus,
            StopRequest stop) {
        this.spec = spec;
        this.workDir = workDir;
        this.jobs = Math.max(1, jobs);
        this.pluginDirs = pluginDirs;
        this.registry = registry;
        this.gpus = gpus;
        this.stop = stop;
    }

    /** Resolves every cell's config (so a typo fails before anything runs) and their differences. */
    public List<GridPlan.Cell> plan() {
        return GridPlan.resolve(spec, registry).cells();
    }

    public void dryRun(PrintStream out) {
        List<GridPlan.Cell> plans = plan();
        out.println("grid " + spec.name() + ": " + plans.size() + " cells from " + spec.resolvedBase());
        for (GridPlan.Cell p : plans) {
            out.println("  " + p.cell().name() + "  " + p.differences() + "  [" + status(p.cell()) + "]");
        }
    }

    public List<Outcome> run(PrintStream out) throws IOException, InterruptedException {
        GridPlan plan = GridPlan.resolve(spec, registry);
        plan.writeIndex(workDir);
        BlockingQueue<Integer> devices = new ArrayBlockingQueue<>(jobs);
        for (int i = 0; i < jobs; i++) {
            devices.add(i);
        }
        ExecutorService pool = Executors.newFixedThreadPool(jobs);
        List<Future<Outcome>> futures = new ArrayList<>();
        for (GridPlan.Cell p : plan.cells()) {
            futures.add(pool.submit(() -> {
                int slot = devices.take();
                try {
                    return runCell(plan, p, slot, out);
                } finally {
                    devices.add(slot);
                }
            }));
        }
        pool.shutdown();
        List<Outcome> outcomes = new ArrayList<>();
        for (Future<Outcome> f : futures) {
            try {
                outcomes.add(f.get());
            } catch (ExecutionException e) {
                throw new IllegalStateException("grid runner failed", e.getCause());
            }
        }
        pool.awaitTermination(1, TimeUnit.MINUTES);
        return outcomes;
    }

    private Outcome runCell(GridPlan plan, GridPlan.Cell cellPlan, int slot, PrintStream out)
            throws IOException, InterruptedException {
        GridCell cell = cellPlan.cell();
        RunDirectory run = GridPlan.runDirectory(workDir, cellPlan);
        if (run.state().finished()) {
            log(out, cell, "already finished, skipped");
            return new Outcome(cell, RunDirectory.FINISHED, "skipped (finished earlier)");
        }
        if (stop.reason() != null) {
            return new Outcome(cell, RunDirectory.STOPPED, "not started: the grid was stopped by " + stop.reason());
        }
        Files.createDirectories(run.root());
        boolean resume = Files.exists(run.latestPointer());
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / jobs);
        List<String> cmd = new ArrayList<>(GridPlan.javaCommand(String.valueOf(threads)));
        cmd.addAll(plan.trainArguments(cellPlan, run.root(), pluginDirs));
        if (gpus > 0) {
            cmd.add("--device");
            cmd.add("gpu:" + (slot % gpus));
        }
        log(out, cell, (resume ? "resuming" : "starting") + (gpus > 0 ? " on gpu:" + (slot % gpus) : ""));
        long t0 = System.nanoTime();
        ProcessBuilder builder = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(run.trainLog().toFile()));
        builder.environment().put("OPT_OUT_TRACKING", "true");
        builder.environment().putIfAbsent("THP_MEM_ALLOC_ENABLE", "1");
        // as the Slurm script does: OpenMP and MKL otherwise size their own pools (and MKL may change
        // its thread count with the load), and a cell's numbers would depend on where it ran
        builder.environment().put("OMP_NUM_THREADS", String.valueOf(threads));
        Process process = builder.start();
        boolean forwarded = false;
        while (!process.waitFor(100, TimeUnit.MILLISECONDS)) {
            if (!forwarded && stop.reason() != null) {
                process.destroy(); // SIGTERM: the cell checkpoints at its next iteration boundary and exits
                forwarded = true;
            }
        }
        int code = process.exitValue();
        RunDirectory.State state = run.state();
        double minutes = (System.nanoTime() - t0) / 6e10;
        if (code == 0 && state.finished()) {
            String ap = state.ap() == null ? "" : String.format(", AP %.3f", state.ap());
            log(out, cell, String.format("finished in %.1f min%s", minutes, ap));
            return new Outcome(cell, RunDirectory.FINISHED, ap.replaceFirst("^, ", ""));
        }
        if (code == StopSignal.EXIT_CODE) {
            log(
                    out,
                    cell,
                    "stopped with a checkpoint at iteration " + state.iteration() + "; the same command resumes it");
            return new Outcome(cell, RunDirectory.STOPPED, state.error());
        }
        String error = state.error() != null ? state.error() : "exit code " + code + ", see " + run.trainLog();
        log(out, cell, "FAILED (exit " + code + "): " + error + " (log: " + run.trainLog() + ")");
        return new Outcome(cell, RunDirectory.FAILED, error);
    }

    public String status(GridCell cell) {
        return new RunDirectory(workDir.resolve(cell.name())).state().status();
    }

    private static synchronized void log(PrintStream out, GridCell cell, String message) {
        out.println("[" + cell.name() + "] " + message);
        out.flush();
    }
}
