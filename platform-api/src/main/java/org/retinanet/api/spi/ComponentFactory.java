package org.retinanet.api.spi;

import org.retinanet.api.config.ComponentConfig;

/**
 * A named factory for one component implementation. The id is stable and lower-case; it is the
 * value of the {@code type} field that selects this factory in a config file.
 *
 * @param <C> the factory's typed config record
 */
public interface ComponentFactory<C extends ComponentConfig> {

    /** Stable lower-case id, for example {@code resnet} or {@code focal}. */
    String id();

    /** Which kind of component this factory builds. */
    Kind kind();

    /** The config record type; registered as the Jackson subtype named {@link #id()}. */
    Class<C> configType();

    /** One line for {@code retinanet plugins}. */
    default String description() {
        return "";
    }
}
