package io.strait.config.model;

/** A plain listener that answers every request with a 308 redirect to the same URL over https on {@code port}. */
public record RedirectToHttps(int port) {}
