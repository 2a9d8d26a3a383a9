package org.retinanet.experiments.grid.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retinanet.api.registry.Registry;
import org.retinanet.api.registry.UserException;
import org.retinanet.experiments.grid.ExecutorSettings;
import org.retinanet.experiments.grid.GridPlan;
import org.retinanet.experiments.grid.GridSpec;

/** The executor section of a grid file, the command line over it, and the batch scripts written from them. */
class SlurmScriptsTest {

    @TempDir
    Path dir;

    private GridSpec grid(String executor) throws Exception {
        Path f = dir.resolve("g.yaml");
        Files.writeString(f, """
                base: retinanet_r18_fpn_shapes
                set: [train.epochs=1]
                axes:
                  model.lossCls: [{type: focal}, {type: ce}]
                """ + executor);
        return GridSpec.read(f);
    }

    @Test
    void executorSectionParsesAndTheCommandLineWinsKeyByKey() throws Exception {
        GridSpec spec = grid("""
                executor:
                  type: slurm
                  partition: gpu
                  time: "1-00:00:00"
                  cpusPerTask: 8
                  maxConcurrent: 4
                  sbatchArgs: [--constraint=a100]
                  setup: [module load java/17]
                """);
        ExecutorSettings e = spec.executor();
        assertThat(e.type()).isEqualTo("slurm");
        assertThat(e.slurm().partition()).isEqualTo("gpu");
        assertThat(e.slurm().setup()).containsExactly("module load java/17");
        ExecutorSettings merged = e.overriddenBy(
                null,
                null,
                new SlurmSettings("debug", null, null, null, 2, null, "8G", null, null, List.of(), List.of(), null));
        assertThat(merged.type()).isEqualTo("slurm");
        assertThat(merged.slurm().partition()).isEqualTo("debug");
        assertThat(merged.slurm().time()).isEqualTo("1-00:00:00");
        assertThat(merged.slurm().gpusPerTask()).isEqualTo(2);
        assertThat(merged.slurm().cpusPerTask()).isEqualTo(8);
        assertThat(merged.slurm().mem()).isEqualTo("8G");
        assertThat(merged.slurm().sbatchArgs()).containsExactly("--constraint=a100");
        assertThat(e.overriddenBy("local", 3, null).type()).isEqualTo("local");
        assertThat(grid("").executor().type()).isEqualTo("local");
    }

    @Test
    void badExecutorSectionsAreOneLineNamingTheFileAndKey() throws Exception {
        assertThatThrownBy(() -> grid("executor: {type: slurm, partitoin: gpu}\n"))
                .isInstanceOf(UserException.class)
                .hasMessageContaining("g.yaml")
                .hasMessageContaining("unknown key 'partitoin'")
                .hasMessageContaining("partition");
        assertThatThrownBy(() -> grid("executor: {type: pbs}\n"))
                .isInstanceOf(UserException.class)
                .hasMessageContaining("executor type 'pbs' is unknown; known: local, slurm");
        assertThatThrownBy(() -> grid("executor: {type: slurm, maxConcurrent: 0}\n"))
                .isInstanceOf(UserException.class)
                .hasMessageContaining("g.yaml")
                .hasMessageContaining("maxConcurrent must be at least 1");
        assertThatThrownBy(() -> grid("executor: {partition: gpu}\n"))
                .isInstanceOf(UserException.class)
                .hasMessageContaining("partition is a Slurm setting; set type: slurm");
        assertThatThrownBy(() -> grid("executor: {type: slurm, partition: 'a b'}\n"))
                .isInstanceOf(UserException.class)
                .hasMessageContaining("not a valid Slurm value");
    }

    @Test
    void arrayScriptIsValidBashWithOneCaseArmPerCellAndTheDirectives() throws Exception {
        Path work = dir.resolve("work dir with spaces");
        GridPlan plan = GridPlan.resolve(grid(""), Registry.create(List.of()));
        SlurmSettings settings = new SlurmSettings(
                "gpu",
                "proj",
                "normal",
                "02:00:00",
                2,
                8,
                "32G",
                3,
                300,
                List.of("--constraint=a100"),
                List.of("module load java/17"),
                null);
        SlurmScripts scripts = new SlurmScripts(plan, work, settings, List.of(dir.resolve("plugins")));
        String array = scripts.arrayScript();
        assertThat(array)
                .contains(
                        "#SBATCH --partition=gpu\n",
                        "#SBATCH --account=proj\n",
                        "#SBATCH --qos=normal\n",
                        "#SBATCH --time=02:00:00\n",
                        "#SBATCH --gres=gpu:2\n",
                        "#SBATCH --cpus-per-task=8\n",
                        "#SBATCH --mem=32G\n",
                        "#SBATCH --requeue\n",
                        "#SBATCH --signal=B:USR1@300\n",
                        "#SBATCH --constraint=a100\n",
                        "#SBATCH --output=" + work.toAbsolutePath() + "/slurm/logs/%A_%a.out\n",
                        "module load java/17\n");
        assertThat(array)
                .contains(
                        "  0) cell='lossCls=focal'",
                        "  1) cell='lossCls=ce'",
                        "'--resume'",
                        "'--gpus' '2'",
                        "'--plugins' '" + dir.resolve("plugins").toAbsolutePath() + "'",
                        "'--set' 'model.lossCls={\"type\":\"ce\"}'",
                        "num_threads='\"${SLURM_CPUS_PER_TASK:-1}\"'",
                        "scontrol requeue \"$SLURM_JOB_ID\"");
        // every directive comes before the first command, or sbatch ignores it
        int firstCommand = array.indexOf("\nset -uo pipefail");
        assertThat(array.lastIndexOf("#SBATCH")).isLessThan(firstCommand);
        bashAccepts(array);
        String report = scripts.reportScript();
        assertThat(report)
                .contains("#SBATCH --time=00:30:00\n", "report --work-dir '" + work.toAbsolutePath() + "'")
                .doesNotContain("--gres", "02:00:00");
        bashAccepts(report);
    }

    @Test
    void dryRunWritesTheScriptsAndSubmitsNothing() throws Exception {
        Path work = dir.resolve("work");
        GridPlan plan = GridPlan.resolve(grid(""), Registry.create(List.of()));
        SlurmClient noSlurm = new SlurmClient() {
            @Override
            Result run(List<String> cmd) {
                throw new AssertionError("a dry run ran " + cmd);
            }
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SlurmSettings settings = new SlurmSettings(
                null, null, null, null, null, null, null, 2, null, null, null, "/shared/retinanet/retinanet");
        new SlurmExecutor(work, settings, List.of(), noSlurm)
                .submit(plan, true, new PrintStream(out, true, StandardCharsets.UTF_8));
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("would run: sbatch --parsable --array=0,1%2 ");
        assertThat(work.resolve("slurm/grid.sbatch")).isExecutable();
        assertThat(Files.readString(work.resolve("slurm/grid.sbatch")))
                .contains("launcher=(/shared/retinanet/retinanet)");
        assertThat(work.resolve("slurm/report.sbatch")).exists();
        assertThat(work.resolve("grid.json")).exists();
        assertThat(work.resolve("slurm/submissions.json")).doesNotExist();
    }

    @Test
    void aSubmittedArrayIsRecordedBeforeTheReportJobAndNeverSubmittedTwice() throws Exception {
        Path work = dir.resolve("work");
        GridPlan plan = GridPlan.resolve(grid(""), Registry.create(List.of()));
        List<String> submitted = new java.util.ArrayList<>();
        SlurmClient refusesReports = new SlurmClient() {
            @Override
            public String submit(Path script, List<String> args) {
                if (script.endsWith(SlurmScripts.REPORT_SCRIPT)) {
                    throw new UserException("sbatch refused " + script + ": invalid partition");
                }
                submitted.add(String.join(" ", args));
                return "123";
            }

            @Override
            public java.util.Map<String, TaskState> states(List<String> arrayJobIds) {
                return arrayJobIds.contains("123")
                        ? java.util.Map.of(
                                "123_0",
                                new TaskState("PENDING", "Priority", null, "squeue"),
                                "123_1",
                                new TaskState("RUNNING", "None", null, "squeue"))
                        : java.util.Map.of();
            }
        };
        SlurmExecutor executor = new SlurmExecutor(work, SlurmSettings.EMPTY, List.of(), refusesReports);
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertThatThrownBy(() -> executor.submit(plan, false, quiet)).hasMessageContaining("invalid partition");
        assertThat(executor.submissions()).singleElement().satisfies(s -> {
            assertThat(s.arrayJob()).isEqualTo("123");
            assertThat(s.reportJob()).isNull();
            assertThat(s.tasks()).containsEntry(0, "lossCls=focal").containsEntry(1, "lossCls=ce");
        });
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(executor.submit(plan, false, new PrintStream(out, true, StandardCharsets.UTF_8))
                        .submission())
                .isNull();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("[lossCls=focal] already pending as task 123_0")
                .contains("[lossCls=ce] already running as task 123_1")
                .contains("nothing to submit");
        assertThat(submitted).containsExactly("--array=0,1");
    }

    private static void bashAccepts(String script) throws Exception {
        Process p = new ProcessBuilder("bash", "-n").redirectErrorStream(true).start();
        p.getOutputStream().write(script.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("bash -n: %s%n%s", out, script).isZero();
    }
}
