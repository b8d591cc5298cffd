import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The backend the AOT cache's training run proxies to (run as a single-file program by the build's JDK): answers
 * every request with a small JSON body naming its path, reads and counts any request body, and writes its port to
 * the file named by its one argument. It runs until killed.
 */
public final class TrainingBackend {
    public static void main(String[] args) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/", exchange -> {
            long received;
            try (InputStream in = exchange.getRequestBody()) {
                received = in.transferTo(OutputStream.nullOutputStream());
            }
            byte[] body = ("{\"path\":\"" + exchange.getRequestURI().getPath() + "\",\"received\":" + received + "}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        Path portFile = Path.of(args[0]);
        Path tmp = Path.of(args[0] + ".tmp");
        Files.writeString(tmp, Integer.toString(server.getAddress().getPort()));
        Files.move(tmp, portFile);
    }
}
