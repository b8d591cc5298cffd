package io.strait.config.load;

import java.util.ArrayList;
import java.util.List;

/** Every validation problem of one load, in the order found, each as {@code path: message}. */
public final class Errors {
    private final List<String> list = new ArrayList<>();

    public void add(String path, String message) {
        list.add(path.isEmpty() ? message : path + ": " + message);
    }

    public boolean isEmpty() {
        return list.isEmpty();
    }

    public List<String> list() {
        return List.copyOf(list);
    }
}
