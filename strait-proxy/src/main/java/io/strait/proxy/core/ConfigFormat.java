package io.strait.proxy.core;

/** The formats a whole configuration document may come in (the admin API's {@code PUT /config}). */
public enum ConfigFormat { YAML, JSON }
