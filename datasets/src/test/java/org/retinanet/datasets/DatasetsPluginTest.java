package org.retinanet.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.jsontype.NamedType;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.retinanet.api.config.DatasetConfig;
import org.retinanet.api.config.PipelineConfig;
import org.retinanet.api.spi.ComponentFactory;
import org.retinanet.api.spi.RetinanetPlugin;
import org.retinanet.datasets.pipeline.StandardPipelineConfig;
import org.retinanet.datasets.shapes.ShapesDatasetConfig;

class DatasetsPluginTest {

    @Test
    void thePluginIsFoundAndContributesTheDatasetsAndThePipeline() {
        RetinanetPlugin plugin = ServiceLoader.load(RetinanetPlugin.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(p -> p instanceof DatasetsPlugin)
                .findFirst()
                .orElseThrow();
        assertThat(plugin.datasets())
                .extracting(ComponentFactory::id)
                .containsExactly("coco", "voc", "shapes", "images");
        assertThat(plugin.pipelines()).extracting(ComponentFactory::id).containsExactly("standard");
    }

    @Test
    void configsReadFromTypedJsonWithDefaultsAndStrictKeys() throws Exception {
        ObjectMapper mapper = new ObjectMapper()
                .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        for (var f : DatasetFactories.all()) {
            mapper.registerSubtypes(new NamedType(f.configType(), f.id()));
        }
        for (var f : DatasetFactories.pipelines()) {
            mapper.registerSubtypes(new NamedType(f.configType(), f.id()));
        }
        DatasetConfig shapes =
                mapper.readValue("{\"type\": \"shapes\", \"imageSize\": 96, \"numImages\": 10}", DatasetConfig.class);
        assertThat(shapes).isInstanceOf(ShapesDatasetConfig.class);
        assertThat(((ShapesDatasetConfig) shapes).width()).isEqualTo(96);
        assertThat(((ShapesDatasetConfig) shapes).height()).isEqualTo(96);
        assertThat(((ShapesDatasetConfig) shapes).maxObjects()).isEqualTo(5);
        PipelineConfig tv = mapper.readValue(
                "{\"type\": \"standard\", \"minSize\": [640, 800], \"maxSize\": 1333}", PipelineConfig.class);
        StandardPipelineConfig p = (StandardPipelineConfig) tv;
        assertThat(p.scale()).containsExactly(1333, 800);
        assertThat(p.scales()).containsExactly(List.of(1333, 640), List.of(1333, 800));
        assertThat(p.sizeDivisor()).isEqualTo(32);
        assertThatThrownBy(() -> mapper.readValue("{\"type\": \"shapes\", \"imagesize\": 96}", DatasetConfig.class))
                .isInstanceOf(UnrecognizedPropertyException.class);
        assertThatThrownBy(
                        () -> mapper.readValue("{\"type\": \"standard\", \"rounding\": \"cv2\"}", PipelineConfig.class))
                .hasMessageContaining("rounding must be mmdet or torchvision, got 'cv2'");
    }
}
