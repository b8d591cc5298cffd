package io.strait.proxy.observe;

import java.io.IOException;
import java.io.OutputStream;

/** STUB until the observe branch merges. */
public final class ProxyMetrics {
    public RouteMetrics forRoute(String route, String cluster) { return (s, d, u) -> {}; }
    public void reloaded(boolean ok) {}
    public void scrape(OutputStream out) throws IOException { out.write("# stub\n".getBytes()); }
}
