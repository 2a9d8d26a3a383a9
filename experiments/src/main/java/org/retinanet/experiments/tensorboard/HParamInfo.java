package org.retinanet.experiments.tensorboard;

import java.util.List;

/**
 * One hyper-parameter of an experiment (HParams plugin {@code HParamInfo}): its type and either a
 * discrete domain, an interval, or no domain.
 *
 * @param discreteDomain the values a discrete hyper-parameter takes (strings, numbers or
 *     booleans matching {@code type}); null when not discrete
 * @param intervalMin lower bound of an interval domain (FLOAT64 only); null when not an interval
 */
public record HParamInfo(
        String name,
        Type type,
        List<Object> discreteDomain,
        Double intervalMin,
        Double intervalMax,
        String displayName,
        String description) {

    /** Field values are the proto enum numbers. */
    public enum Type {
        UNSET(0),
        STRING(1),
        BOOL(2),
        FLOAT64(3);

        final int number;

        Type(int number) {
            this.number = number;
        }

        static Type of(long number) {
            for (Type t : values()) {
                if (t.number == number) {
                    return t;
                }
            }
            return UNSET;
        }
    }

    public HParamInfo {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("hparam: name must not be empty");
        }
        if (discreteDomain != null && intervalMin != null) {
            throw new IllegalArgumentException("hparam " + name + ": a domain is discrete or an interval, not both");
        }
        if ((intervalMin == null) != (intervalMax == null)) {
            throw new IllegalArgumentException("hparam " + name + ": an interval needs both bounds");
        }
        if (discreteDomain != null) {
            discreteDomain = List.copyOf(discreteDomain);
            for (Object v : discreteDomain) {
                if (typeOf(v) != type) {
                    throw new IllegalArgumentException(
                            "hparam " + name + ": domain value " + v + " is not of type " + type);
                }
            }
        }
    }

    /** A discrete domain; the type follows the values (all strings, all numbers or all booleans). */
    public static HParamInfo discrete(String name, List<?> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("hparam " + name + ": empty discrete domain");
        }
        return new HParamInfo(name, typeOf(values.get(0)), List.copyOf(values), null, null, null, null);
    }

    public static HParamInfo interval(String name, double min, double max) {
        return new HParamInfo(name, Type.FLOAT64, null, min, max, null, null);
    }

    public static HParamInfo of(String name, Type type) {
        return new HParamInfo(name, type, null, null, null, null, null);
    }

    static Type typeOf(Object value) {
        if (value instanceof String) {
            return Type.STRING;
        }
        if (value instanceof Boolean) {
            return Type.BOOL;
        }
        if (value instanceof Number) {
            return Type.FLOAT64;
        }
        throw new IllegalArgumentException("hparam values are strings, numbers or booleans; got "
                + (value == null ? "null" : value.getClass().getSimpleName()));
    }
}
