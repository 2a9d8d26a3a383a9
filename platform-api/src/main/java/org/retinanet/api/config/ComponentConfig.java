package org.retinanet.api.config;

import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * Marker for a component's typed config record. The {@code type} field names the factory id;
 * each plugin's records are registered as Jackson subtypes under that id (Druid's pattern), so
 * no list of subtypes lives in the platform. Unknown keys are errors.
 *
 * <p>Convention for records: boxed fields, defaults applied in the compact constructor when a
 * field is null, and validation there too (throw {@link IllegalArgumentException} with a message
 * naming the field).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
public interface ComponentConfig {}
