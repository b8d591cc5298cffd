package io.strait.config.load;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Config spelling of enum constants: {@code LEAST_REQUEST} is written {@code least-request}. */
public final class Names {
    private Names() {}

    public static String of(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static <E extends Enum<E>> String of(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).map(Names::of).collect(Collectors.joining(", "));
    }

    public static <E extends Enum<E>> E parse(Class<E> type, String s) {
        for (E e : type.getEnumConstants()) {
            if (of(e).equals(s)) return e;
        }
        return null;
    }
}
