package io.strait.cli;

import io.strait.cli.demo.Demo;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code strait demo}: a whole local system to try Strait with curl. */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Starts demo services, each behind a mesh sidecar, and a gateway on 127.0.0.1:8080.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--dir", defaultValue = ".strait", description = "where demo files go (default: ${DEFAULT-VALUE})")
    Path dir;

    @Option(names = "--port", defaultValue = "8080", description = "gateway port (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--admin-port", defaultValue = "9901", description = "admin port (default: ${DEFAULT-VALUE})")
    int adminPort;

    @Override
    public Integer call() throws Exception {
        Demo demo = Demo.start(dir, port, adminPort);
        System.out.println(demo.banner());
        Runtime.getRuntime().addShutdownHook(new Thread(demo::close, "strait-demo-shutdown"));
        Thread.currentThread().join();
        return 0;
    }
}
