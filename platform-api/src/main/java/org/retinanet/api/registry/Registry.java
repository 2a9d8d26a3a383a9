package org.retinanet.api.registry;

import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.jsontype.NamedType;
import com.fasterxml.jackson.databind.jsontype.TypeIdResolver;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.google.inject.Guice;
import com.google.inject.Inject;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import com.google.inject.name.Names;
import java.nio.file.Path;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.retinanet.api.box.Assigner;
import org.retinanet.api.box.BoxCoder;
import org.retinanet.api.box.PriorGenerator;
import org.retinanet.api.box.TaskModules;
import org.retinanet.api.config.AssignerConfig;
import org.retinanet.api.config.BackboneConfig;
import org.retinanet.api.config.BoxCoderConfig;
import org.retinanet.api.config.BoxLossConfig;
import org.retinanet.api.config.ClassificationLossConfig;
import org.retinanet.api.config.ComponentConfig;
import org.retinanet.api.config.DatasetConfig;
import org.retinanet.api.config.EvaluatorConfig;
import org.retinanet.api.config.HeadConfig;
import org.retinanet.api.config.HookConfig;
import org.retinanet.api.config.NeckConfig;
import org.retinanet.api.config.PipelineConfig;
import org.retinanet.api.config.PriorGeneratorConfig;
import org.retinanet.api.data.BatchPipeline;
import org.retinanet.api.data.DatasetContext;
import org.retinanet.api.data.DetectionDataset;
import org.retinanet.api.data.DetectionEvaluator;
import org.retinanet.api.data.PipelineContext;
import org.retinanet.api.loss.BoxLoss;
import org.retinanet.api.loss.ClassificationLoss;
import org.retinanet.api.model.Backbone;
import org.retinanet.api.model.DenseHead;
import org.retinanet.api.model.FeatureSpec;
import org.retinanet.api.model.HeadContext;
import org.retinanet.api.model.Neck;
import org.retinanet.api.spi.AssignerFactory;
import org.retinanet.api.spi.BackboneFactory;
import org.retinanet.api.spi.BoxCoderFactory;
import org.retinanet.api.spi.BoxLossFactory;
import org.retinanet.api.spi.ClassificationLossFactory;
import org.retinanet.api.spi.ComponentFactory;
import org.retinanet.api.spi.DatasetFactory;
import org.retinanet.api.spi.EvaluatorFactory;
import org.retinanet.api.spi.HeadFactory;
import org.retinanet.api.spi.HookFactory;
import org.retinanet.api.spi.Kind;
import org.retinanet.api.spi.NeckFactory;
import org.retinanet.api.spi.PipelineFactory;
import org.retinanet.api.spi.PriorGeneratorFactory;
import org.retinanet.api.train.TrainingHook;

/**
 * The only way to build a component from config: looks the factory up by the config's type id
 * and calls it. Also owns the config {@link ObjectMapper}, which knows every plugin's config
 * records as named subtypes (unknown keys and unknown ids are errors). It also builds the box
 * toolkit's parts for heads ({@link TaskModules}).
 */
public final class Registry implements TaskModules {

    private final Map<Kind, Map<String, ComponentFactory<?>>> byId = new EnumMap<>(Kind.class);
    private final Map<Class<?>, ComponentFactory<?>> byConfigType = new HashMap<>();
    private final List<DiscoveredPlugin> plugins;
    private final ObjectMapper mapper;

    @Inject
    Registry(Injector injector, List<DiscoveredPlugin> plugins) {
        this.plugins = plugins;
        for (Kind kind : Kind.values()) {
            Map<String, ComponentFactory<?>> factories = injector.getInstance(
                    Key.get(new TypeLiteral<Map<String, ComponentFactory<?>>>() {}, Names.named(kind.name())));
            byId.put(kind, new TreeMap<>(factories));
            for (ComponentFactory<?> f : factories.values()) {
                byConfigType.put(f.configType(), f); // unique: PluginModule checked it
            }
        }
        this.mapper = newMapper();
    }

    /** Discovers the plugins (class path + plugin directories) and assembles them with Guice. */
    public static Registry create(List<Path> pluginDirs) {
        List<DiscoveredPlugin> plugins = PluginLoader.discover(PluginLoader.directories(pluginDirs));
        return createFrom(plugins);
    }

    public static Registry createFrom(List<DiscoveredPlugin> plugins) {
        try {
            return Guice.createInjector(new PluginModule(plugins)).getInstance(Registry.class);
        } catch (com.google.inject.CreationException | com.google.inject.ProvisionException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof UserException u) {
                    throw u;
                }
            }
            throw e;
        }
    }

    /** A YAML mapper that resolves every registered config subtype; unknown keys fail. */
    public ObjectMapper mapper() {
        return mapper;
    }

    private ObjectMapper newMapper() {
        ObjectMapper m = new ObjectMapper(new YAMLFactory()
                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));
        m.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        m.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        m.setSerializationInclusion(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL);
        m.addHandler(new DefaultIds());
        for (Map<String, ComponentFactory<?>> factories : byId.values()) {
            for (ComponentFactory<?> f : factories.values()) {
                m.registerSubtypes(new NamedType(f.configType(), f.id()));
            }
        }
        return m;
    }

    /** A config of a kind with a {@link Kind#defaultId()} and no {@code type} gets that id. */
    private final class DefaultIds extends DeserializationProblemHandler {
        @Override
        public JavaType handleMissingTypeId(
                DeserializationContext ctxt, JavaType baseType, TypeIdResolver idResolver, String failureMsg) {
            for (Kind kind : Kind.values()) {
                ComponentFactory<?> f =
                        kind.defaultId() == null ? null : byId.get(kind).get(kind.defaultId());
                if (f != null && kind.configBase().equals(baseType.getRawClass())) {
                    return ctxt.constructType(f.configType());
                }
            }
            return null; // Jackson reports the missing type
        }
    }

    public List<DiscoveredPlugin> plugins() {
        return plugins;
    }

    /** Registered factories of one kind, sorted by id. */
    public Collection<ComponentFactory<?>> factories(Kind kind) {
        return byId.get(kind).values();
    }

    public ComponentFactory<?> factory(Kind kind, String id) {
        ComponentFactory<?> f = byId.get(kind).get(id);
        if (f == null) {
            throw unknownId(kind, id);
        }
        return f;
    }

    public UserException unknownId(Kind kind, String id) {
        return new UserException("unknown " + kind.displayName() + " '" + id + "', known: " + knownIds(kind));
    }

    public String knownIds(Kind kind) {
        String ids = String.join(", ", byId.get(kind).keySet());
        return ids.isEmpty() ? "(none registered)" : ids;
    }

    /** The id under which a config record's type is registered. */
    public String idOf(ComponentConfig config) {
        ComponentFactory<?> f = byConfigType.get(config.getClass());
        if (f == null) {
            throw new UserException("config " + config.getClass().getName() + " belongs to no registered factory");
        }
        return f.id();
    }

    public Backbone backbone(BackboneConfig config) {
        return this.<BackboneConfig, BackboneFactory<BackboneConfig>>factoryFor(Kind.BACKBONE, config)
                .create(config);
    }

    public Neck neck(NeckConfig config, List<FeatureSpec> inputs) {
        return this.<NeckConfig, NeckFactory<NeckConfig>>factoryFor(Kind.NECK, config)
                .create(config, inputs);
    }

    public DenseHead head(HeadConfig config, HeadContext context) {
        return this.<HeadConfig, HeadFactory<HeadConfig>>factoryFor(Kind.HEAD, config)
                .create(config, context);
    }

    public ClassificationLoss classificationLoss(ClassificationLossConfig config) {
        return this.<ClassificationLossConfig, ClassificationLossFactory<ClassificationLossConfig>>factoryFor(
                        Kind.CLASSIFICATION_LOSS, config)
                .create(config);
    }

    public BoxLoss boxLoss(BoxLossConfig config) {
        return this.<BoxLossConfig, BoxLossFactory<BoxLossConfig>>factoryFor(Kind.BOX_LOSS, config)
                .create(config);
    }

    public DetectionDataset dataset(DatasetConfig config, DatasetContext context) {
        return this.<DatasetConfig, DatasetFactory<DatasetConfig>>factoryFor(Kind.DATASET, config)
                .create(config, context);
    }

    public BatchPipeline pipeline(PipelineConfig config, PipelineContext context) {
        return this.<PipelineConfig, PipelineFactory<PipelineConfig>>factoryFor(Kind.PIPELINE, config)
                .create(config, context);
    }

    public DetectionEvaluator evaluator(EvaluatorConfig config) {
        return this.<EvaluatorConfig, EvaluatorFactory<EvaluatorConfig>>factoryFor(Kind.EVALUATOR, config)
                .create(config);
    }

    @Override
    public PriorGenerator priorGenerator(PriorGeneratorConfig config) {
        return this.<PriorGeneratorConfig, PriorGeneratorFactory<PriorGeneratorConfig>>factoryFor(
                        Kind.PRIOR_GENERATOR, config)
                .create(config);
    }

    @Override
    public Assigner assigner(AssignerConfig config) {
        return this.<AssignerConfig, AssignerFactory<AssignerConfig>>factoryFor(Kind.ASSIGNER, config)
                .create(config);
    }

    @Override
    public BoxCoder boxCoder(BoxCoderConfig config) {
        return this.<BoxCoderConfig, BoxCoderFactory<BoxCoderConfig>>factoryFor(Kind.BOX_CODER, config)
                .create(config);
    }

    public TrainingHook hook(HookConfig config) {
        return this.<HookConfig, HookFactory<HookConfig>>factoryFor(Kind.HOOK, config)
                .create(config);
    }

    @SuppressWarnings("unchecked")
    private <C extends ComponentConfig, F extends ComponentFactory<?>> F factoryFor(Kind kind, C config) {
        if (config == null) {
            throw new UserException("no " + kind.displayName() + " configured; known: " + knownIds(kind));
        }
        ComponentFactory<?> f = byConfigType.get(config.getClass());
        if (f == null || f.kind() != kind) {
            throw new UserException(config.getClass().getSimpleName() + " is not a " + kind.displayName() + " config");
        }
        return (F) f;
    }

    /** The plugin that contributed {@code kind}/{@code id}, or null if none did. */
    public DiscoveredPlugin owner(Kind kind, String id) {
        for (DiscoveredPlugin p : plugins) {
            for (ComponentFactory<?> f : PluginModule.factoriesOf(p.plugin())) {
                if (f.kind() == kind && f.id().equals(id)) {
                    return p;
                }
            }
        }
        return null;
    }

    /** Ids per kind, for messages and {@code retinanet plugins}. */
    public Map<Kind, List<String>> ids() {
        Map<Kind, List<String>> out = new EnumMap<>(Kind.class);
        byId.forEach((k, v) -> out.put(k, v.keySet().stream().collect(Collectors.toList())));
        return out;
    }
}
