package org.retinanet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The user journey "add a plugin via SPI": a toy backbone and a toy loss are compiled here into
 * a jar that is not on the class path, loaded with --plugins, and used by name in a config.
 */
class ExternalPluginJarTest {

    @TempDir
    static Path tmp;

    static Path pluginDir;

    @BeforeAll
    static void buildPluginJar() throws Exception {
        pluginDir = tmp.resolve("plugins");
        PluginJars.build(
                "/toyplugin/com/example/toy/ToyPlugin.java",
                "com.example.toy.ToyPlugin",
                tmp.resolve("build"),
                pluginDir,
                "toy-plugin.jar");
    }

    @Test
    void pluginIsNotOnTheClassPath() {
        assertThatThrownBy(() -> Class.forName("com.example.toy.ToyPlugin")).isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void pluginsCommandListsTheJarsComponents() throws Exception {
        CliRunner.Result r = CliRunner.run("--plugins", pluginDir.toString(), "plugins", "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out());
        JsonNode toy = find(json.get("backbone"), "toy_backbone");
        assertThat(toy.get("jar").asText()).endsWith("toy-plugin.jar");
        assertThat(toy.get("fields").has("width")).isTrue();
        assertThat(find(json.get("classification_loss"), "toy_loss")
                        .get("plugin")
                        .asText())
                .isEqualTo("com.example.toy.ToyPlugin");
        assertThat(find(json.get("backbone"), "resnet").get("jar").asText()).doesNotContain("toy-plugin");
    }

    @Test
    void configUsesThePluginByName() throws Exception {
        Path config = writeConfig();
        CliRunner.Result r =
                CliRunner.run("--plugins", pluginDir.toString(), "inspect", "--config", config.toString(), "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out());
        // 3x3 convs 3->8, 8->16, 16->32, no biases
        assertThat(json.at("/parameters/backbone").asLong()).isEqualTo(8 * 3 * 9 + 16 * 8 * 9 + 32 * 16 * 9);
    }

    @Test
    void trainsWithThePluginsComponents() throws Exception {
        Path config = writeConfig();
        Path work = tmp.resolve("run");
        CliRunner.Result r = CliRunner.run(
                "--plugins",
                pluginDir.toString(),
                "train",
                "--config",
                config.toString(),
                "--work-dir",
                work.toString(),
                "--max-iters",
                "3",
                "--progress",
                "lines");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(work.resolve("manifest.json")).content().contains("\"status\" : \"finished\"");
        assertThat(Files.readString(work.resolve("config.yaml"))).contains("toy_backbone", "toy_loss");

        // the run record says which jar, exactly, the run's components came from
        JsonNode environment = new ObjectMapper()
                .readTree(work.resolve("manifest.json").toFile())
                .get("environment");
        JsonNode toy = null;
        for (JsonNode p : environment.get("plugins")) {
            if (p.get("source").asText().endsWith("toy-plugin.jar")) {
                toy = p;
            }
        }
        assertThat(toy).as("the toy plugin in %s", environment.get("plugins")).isNotNull();
        assertThat(toy.get("external").asBoolean()).isTrue();
        assertThat(toy.get("sha256").asText()).isEqualTo(sha256(pluginDir.resolve("toy-plugin.jar")));
        assertThat(toy.at("/ids/backbone/0").asText()).isEqualTo("toy_backbone");
        assertThat(toy.at("/ids/classification_loss/0").asText()).isEqualTo("toy_loss");
        assertThat(environment.get("commandLine").toString()).contains("--plugins", "train", "--max-iters");

        // and the report names it for the cell
        CliRunner.Result report = CliRunner.run("report", "--work-dir", tmp.toString());
        assertThat(report.exitCode()).as(report.err()).isZero();
        assertThat(Files.readString(tmp.resolve("report.md")))
                .contains("## Plugins from outside the platform")
                .contains("- `run`: `" + pluginDir.resolve("toy-plugin.jar").toAbsolutePath() + "` (sha256 "
                        + toy.get("sha256").asText())
                .contains("backbone toy_backbone");
    }

    private static String sha256(Path file) throws Exception {
        return java.util.HexFormat.of()
                .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    @Test
    void withoutThePluginTheIdIsUnknown() throws Exception {
        CliRunner.Result r = CliRunner.run("inspect", "--config", writeConfig().toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().strip())
                .startsWith("error: config ")
                .contains("unknown backbone 'toy_backbone' at model.backbone, known: resnet, resnext");
        assertThat(r.err().lines().count()).isEqualTo(1);
    }

    @Test
    void twoJarsRegisteringTheSameIdsAreOneErrorLineNamingBothJars() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("duplicates"));
        Path first = Files.copy(pluginDir.resolve("toy-plugin.jar"), dir.resolve("toy-a.jar"));
        Path second = Files.copy(pluginDir.resolve("toy-plugin.jar"), dir.resolve("toy-b.jar"));
        // a child JVM: Guice logs through java.util.logging to the process's real stderr, which
        // CliRunner's redirection of System.err would not see
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(
                        javaBin,
                        "-Xmx512m",
                        "-Dai.djl.offline=true",
                        "-cp",
                        System.getProperty("java.class.path"),
                        "org.retinanet.cli.Main",
                        "--plugins",
                        dir.toString(),
                        "plugins")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process child = pb.start();
        String stderr = new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor()).as(stderr).isEqualTo(2);
        assertThat(stderr.lines().toList()).as(stderr).hasSize(1);
        assertThat(stderr)
                .startsWith("error: duplicate backbone id 'toy_backbone'")
                .contains(first.toString())
                .contains(second.toString());
    }

    private static Path writeConfig() throws IOException {
        Path config = tmp.resolve("toy.yaml");
        Files.writeString(
                config,
                String.join(
                        "\n",
                        List.of(
                                "base: retinanet_r18_fpn_shapes",
                                "model:",
                                "  backbone: {type: toy_backbone, width: 8}",
                                "  neck: {startLevel: 0, numOuts: 3, outChannels: 32}",
                                "  head: {featChannels: 32, stackedConvs: 1}",
                                "  lossCls: {type: toy_loss, scale: 0.5}",
                                "data:",
                                "  train: {dataset: {numImages: 8}, batchSize: 2, workers: 1}",
                                "  val: null",
                                "")));
        return config;
    }

    private static JsonNode find(JsonNode entries, String id) {
        for (JsonNode e : entries) {
            if (e.get("id").asText().equals(id)) {
                return e;
            }
        }
        throw new AssertionError(id + " not listed in " + entries);
    }
}
