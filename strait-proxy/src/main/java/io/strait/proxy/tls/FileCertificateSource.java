package io.strait.proxy.tls;

import io.strait.config.tls.Pem;
import io.strait.config.tls.PemException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Certificates in PEM files named by the config: a chain and its key, and a CA bundle, any of them
 * absent. The files are read at once (a failure names the field and the file) and checked every
 * {@code interval} on one shared background thread (never an event loop); when their contents change
 * and still load, the new material replaces the old and the subscribers rebuild their contexts. A
 * change that does not load (a key written before its certificate, say) leaves the old material
 * serving and is reported once.
 */
public final class FileCertificateSource implements CertificateSource, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FileCertificateSource.class);
    /** One thread for every file source of the process: a check is a few small reads. */
    private static final ScheduledExecutorService CHECKER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "strait-certificate-files");
        t.setDaemon(true);
        return t;
    });

    private final String where;
    private final Path certFile;
    private final Path keyFile;
    private final Path caFile;
    private final CopyOnWriteArrayList<Runnable> listeners = new CopyOnWriteArrayList<>();
    private volatile CertificateMaterial current;
    private volatile ScheduledFuture<?> task;
    private Map<Path, String> stamps;
    private Map<Path, String> failedStamps;

    /**
     * Reads the files now.
     *
     * @param where the config path of the section, for messages ({@code clusters.users.tls})
     * @throws TlsException when a file cannot be read or parsed, or the key is not the certificate's
     */
    public FileCertificateSource(String where, Path certFile, Path keyFile, Path caFile) throws TlsException {
        this.where = where;
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.caFile = caFile;
        this.stamps = stamps();
        this.current = load();
    }

    /** Starts checking the files every {@code interval}; returns this. */
    public FileCertificateSource watch(Duration interval) {
        long ms = Math.max(1, interval.toMillis());
        try {
            task = CHECKER.scheduleWithFixedDelay(this::check, ms, ms, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException(e);
        }
        return this;
    }

    @Override
    public CertificateMaterial current() {
        return current;
    }

    @Override
    public AutoCloseable subscribe(Runnable listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    @Override
    public String describe() {
        List<String> files = new ArrayList<>();
        if (certFile != null) files.add(certFile.toString());
        if (keyFile != null) files.add(keyFile.toString());
        if (caFile != null) files.add(caFile.toString());
        return where + " files " + files;
    }

    /** Checks the files now (tests call it rather than wait); on the caller's thread. */
    public synchronized void check() {
        try {
            Map<Path, String> now = stamps();
            if (now.equals(stamps) || now.equals(failedStamps)) return;
            CertificateMaterial next;
            try {
                next = load();
            } catch (TlsException e) {
                failedStamps = now;
                log.error("certificate files not reloaded, the previous ones stay: {}", e.getMessage());
                return;
            }
            current = next;
            stamps = now;
            failedStamps = null;
            log.info("{}: certificate files changed; new connections use them", where);
            for (Runnable l : listeners) l.run();
        } catch (RuntimeException e) {
            log.error("{}: certificate check failed: {}", where, e.toString());
        }
    }

    private CertificateMaterial load() throws TlsException {
        List<X509Certificate> chain = certFile == null ? List.of() : certificates("certFile", certFile);
        PrivateKey key = keyFile == null ? null : key("keyFile", keyFile);
        List<X509Certificate> ca = caFile == null ? List.of() : certificates("caFile", caFile);
        if (key != null && !chain.isEmpty() && !Pem.matches(key, chain.get(0))) {
            throw new TlsException(where + ".keyFile '" + keyFile + "' is not the key of the certificate in '" + certFile + "'");
        }
        try {
            return new CertificateMaterial(chain, key, ca);
        } catch (IllegalArgumentException e) {
            throw new TlsException(where + ": " + e.getMessage());
        }
    }

    private List<X509Certificate> certificates(String field, Path file) throws TlsException {
        try {
            return Pem.certificates(Pem.read(file));
        } catch (PemException e) {
            throw new TlsException(where + "." + field + " '" + file + "': " + e.getMessage());
        }
    }

    private PrivateKey key(String field, Path file) throws TlsException {
        byte[] bytes = null;
        try {
            bytes = Pem.read(file);
            return Pem.privateKey(bytes);
        } catch (PemException e) {
            throw new TlsException(where + "." + field + " '" + file + "': " + e.getMessage());
        } finally {
            if (bytes != null) Arrays.fill(bytes, (byte) 0); // key material does not linger in the heap
        }
    }

    /** A digest of each file's contents ("missing" when unreadable): exact, unlike modification times. */
    private Map<Path, String> stamps() {
        Map<Path, String> out = new LinkedHashMap<>();
        for (Path p : new Path[] {certFile, keyFile, caFile}) {
            if (p == null) continue;
            String stamp;
            try {
                stamp = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
            } catch (IOException e) {
                stamp = "missing";
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            out.put(p, stamp);
        }
        return out;
    }

    @Override
    public void close() {
        ScheduledFuture<?> t = task;
        if (t != null) t.cancel(false);
    }
}
