package org.retinanet.api.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retinanet.api.config.ClassificationLossConfig;
import org.retinanet.api.config.ConfigLoader;
import org.retinanet.api.spi.Kind;

class RegistryTest {

    record Holder(ClassificationLossConfig loss) {}

    private static Registry registry() {
        return Registry.createFrom(List.of(new DiscoveredPlugin(
                ToyPlugins.plugin(List.of(new ToyPlugins.SumLossFactory("sum"), new ToyPlugins.OtherFactory())),
                Path.of("toy.jar"))));
    }

    @Test
    void bindsConfigsByTypeId(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("c.yaml");
        Files.writeString(f, "loss: {type: sum, weight: 2.5}\n");
        Holder h = ConfigLoader.load(f, List.of()).bind(registry(), Holder.class);
        assertThat(h.loss()).isEqualTo(new ToyPlugins.SumConfig(2.5));
        assertThat(registry().idOf(h.loss())).isEqualTo("sum");
        assertThat(registry().ids().get(Kind.CLASSIFICATION_LOSS)).containsExactly("other", "sum");
    }

    @Test
    void unknownIdListsKnownIds(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("c.yaml");
        Files.writeString(f, "loss: {type: focall}\n");
        assertThatThrownBy(() -> ConfigLoader.load(f, List.of()).bind(registry(), Holder.class))
                .isInstanceOf(UserException.class)
                .hasMessage("config " + f + ": unknown classification loss 'focall' at loss, known: other, sum");
        assertThatThrownBy(() -> registry().factory(Kind.BACKBONE, "resnet5"))
                .hasMessage("unknown backbone 'resnet5', known: (none registered)");
    }

    @Test
    void unknownKeyNamesKeyAndFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("c.yaml");
        Files.writeString(f, "loss: {type: sum, wieght: 2}\n");
        assertThatThrownBy(() -> ConfigLoader.load(f, List.of()).bind(registry(), Holder.class))
                .isInstanceOf(UserException.class)
                .hasMessageContaining("config " + f + ": unknown key 'wieght' at loss.wieght")
                .hasMessageContaining("known keys: weight");
    }

    @Test
    void invalidValueNamesFileAndReason(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("c.yaml");
        Files.writeString(f, "loss: {type: sum, weight: -1}\n");
        assertThatThrownBy(() -> ConfigLoader.load(f, List.of()).bind(registry(), Holder.class))
                .isInstanceOf(UserException.class)
                .hasMessageContaining("config " + f)
                .hasMessageContaining("weight must be >= 0, got -1.0");
    }

    @Test
    void duplicateIdNamesBothProviders() {
        var a = new DiscoveredPlugin(
                ToyPlugins.plugin(List.of(new ToyPlugins.SumLossFactory("sum"))), Path.of("a.jar"));
        var b = new DiscoveredPlugin(
                ToyPlugins.plugin(List.of(new ToyPlugins.SumLossFactory("sum"))), Path.of("b.jar"));
        assertThatThrownBy(() -> Registry.createFrom(List.of(a, b)))
                .isInstanceOf(UserException.class)
                .hasMessageContaining("duplicate classification loss id 'sum'")
                .hasMessageContaining("(a.jar)")
                .hasMessageContaining("(b.jar)");
    }

    @Test
    void badIdIsRejected() {
        var a = new DiscoveredPlugin(
                ToyPlugins.plugin(List.of(new ToyPlugins.SumLossFactory("Sum Loss"))), Path.of("a.jar"));
        assertThatThrownBy(() -> Registry.createFrom(List.of(a)))
                .hasMessageContaining("id 'Sum Loss' must be lower-case");
    }

    @Test
    void missingPluginDirectoryIsOneLine() {
        assertThatThrownBy(() -> PluginLoader.discover(List.of(Path.of("/no/such/dir"))))
                .isInstanceOf(UserException.class)
                .hasMessage("plugin directory /no/such/dir does not exist or is not a directory");
    }
}
