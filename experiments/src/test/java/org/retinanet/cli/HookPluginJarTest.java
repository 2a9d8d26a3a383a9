package org.retinanet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retinanet.experiments.grid.TinyCells;
import org.retinanet.experiments.tensorboard.EventFileReader;

/**
 * Hooks as plugins: a jar compiled here (an EMA of the weights, and early stopping) is listed by
 * {@code plugins}, named in {@code train.hooks}, runs during {@code train}, and its state goes
 * into checkpoints so that a resumed run ends as one that never stopped.
 */
class HookPluginJarTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;

    static Path pluginDir;

    @BeforeAll
    static void buildPluginJar() throws Exception {
        pluginDir = tmp.resolve("plugins");
        PluginJars.build(
                "/hookplugin/com/example/hooks/HookPlugin.java",
                "com.example.hooks.HookPlugin",
                tmp.resolve("build"),
                pluginDir,
                "hooks.jar");
    }

    private static Path config(String name, String hooks) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        return TinyCells.write(
                dir, 8, 2, "{epochs: 1, warmupIters: 1, checkpointInterval: 1000, hooks: " + hooks + "}");
    }

    private static CliRunner.Result train(Path config, Path work, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of(
                "--plugins",
                pluginDir.toString(),
                "train",
                "--config",
                config.toString(),
                "--work-dir",
                work.toString(),
                "--progress",
                "quiet"));
        args.addAll(List.of(more));
        return CliRunner.run(args.toArray(String[]::new));
    }

    @Test
    void pluginsListsTheHooks() throws Exception {
        CliRunner.Result r = CliRunner.run("--plugins", pluginDir.toString(), "plugins", "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode hooks = JSON.readTree(r.out()).get("hook");
        assertThat(hooks.findValuesAsText("id")).contains("ema", "stop_after");
        assertThat(hooks.toString()).contains("hooks.jar");
    }

    @Test
    void emaStateIsCheckpointedAndAResumedRunEndsLikeAnUninterruptedOne() throws Exception {
        Path config = config("ema", "[{type: ema, momentum: 0.25}]");
        Path whole = tmp.resolve("ema-whole");
        CliRunner.Result r = train(config, whole);
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(distances(whole).keySet()).containsExactly(1L, 2L, 3L, 4L);

        Path cut = tmp.resolve("ema-cut");
        assertThat(train(config, cut, "--max-iters", "2").exitCode()).isZero();
        CliRunner.Result resumed = train(config, cut, "--resume");
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        for (String file : List.of("model.safetensors", "hooks.safetensors")) {
            assertThat(Files.readAllBytes(latest(cut).resolve(file)))
                    .as(file)
                    .isEqualTo(Files.readAllBytes(latest(whole).resolve(file)));
        }
        assertThat(distances(cut)).isEqualTo(distances(whole));
    }

    @Test
    void aHookCanFinishTheRunEarly() throws Exception {
        Path work = tmp.resolve("early");
        CliRunner.Result r = train(config("early", "[{type: stop_after, iterations: 2}]"), work);
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode manifest = JSON.readTree(work.resolve("manifest.json").toFile());
        assertThat(manifest.get("status").asText()).isEqualTo("finished");
        assertThat(manifest.get("iteration").asLong()).isEqualTo(2);
        assertThat(manifest.get("finishedEarly").asText()).contains("stop_after reached iteration 2");
        assertThat(work.resolve("metrics.json"))
                .as("the final evaluation still runs")
                .exists();
    }

    @Test
    void anUnknownHookIsOneConfigError() throws Exception {
        CliRunner.Result r = CliRunner.run(
                "train",
                "--config",
                config("unknown", "[{type: ema}]").toString(),
                "--work-dir",
                tmp.resolve("u").toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().strip()).contains("unknown hook 'ema'");
        assertThat(r.err().strip().lines().count()).isEqualTo(1);
    }

    private static Path latest(Path run) throws Exception {
        Path checkpoints = run.resolve("checkpoints");
        return checkpoints.resolve(
                Files.readString(checkpoints.resolve("latest")).trim());
    }

    /** ema/distance by iteration over all of the run's event files. */
    private static Map<Long, Float> distances(Path run) throws Exception {
        Map<Long, Float> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(run)) {
            for (Path f : files.filter(p -> p.getFileName().toString().contains("tfevents"))
                    .sorted()
                    .toList()) {
                out.putAll(EventFileReader.read(f).scalars("ema/distance"));
            }
        }
        return out;
    }
}
