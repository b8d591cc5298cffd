package io.strait.mesh.controlplane;

import io.strait.mesh.ca.CertificateAuthority;
import io.strait.mesh.ca.CsrRejectedException;
import io.strait.mesh.identity.SpiffeId;
import io.strait.mesh.identity.Svid;
import io.strait.mesh.svid.RenewalSchedule;
import io.strait.mesh.svid.WorkloadKey;
import io.strait.mesh.transport.MeshCredentials;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's own SVID (identity {@code spiffe://<td>/ns/strait-system/sa/control-plane}), which
 * its API presents to sidecars: signed by its own CA from a key made here, and renewed at half its
 * lifetime like a sidecar's, with the trust bundle refreshed at the same time (a root rotation reaches
 * new connections). A failed renewal is retried after at most 30 s, sooner for an SVID with little life left
 * ({@link RenewalSchedule#retryDelay}).
 */
final class OwnSvid implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OwnSvid.class);

    private final CertificateAuthority ca;
    private final SpiffeId id;
    private final MeshCredentials credentials;
    private final RenewalSchedule schedule;
    private final ScheduledExecutorService scheduler;
    private volatile ScheduledFuture<?> next;
    private volatile boolean closed;

    private OwnSvid(CertificateAuthority ca, SpiffeId id, MeshCredentials credentials, RenewalSchedule schedule,
            ScheduledExecutorService scheduler) {
        this.ca = ca;
        this.id = id;
        this.credentials = credentials;
        this.schedule = schedule;
        this.scheduler = scheduler;
    }

    /** Issues the first SVID now (blocking: key generation and signing) and schedules its renewals. */
    static OwnSvid start(CertificateAuthority ca, SpiffeId id, RenewalSchedule schedule, ScheduledExecutorService scheduler)
            throws CsrRejectedException {
        MeshCredentials credentials = new MeshCredentials(issue(ca, id), ca.bundle());
        OwnSvid own = new OwnSvid(ca, id, credentials, schedule, scheduler);
        own.scheduleRenewal();
        return own;
    }

    MeshCredentials credentials() {
        return credentials;
    }

    private static Svid issue(CertificateAuthority ca, SpiffeId id) throws CsrRejectedException {
        WorkloadKey key = WorkloadKey.generate();
        return new Svid(ca.sign(key.csrDer(id), id).chain(), key.privateKey());
    }

    private void scheduleRenewal() {
        Duration delay = schedule.delayUntil(schedule.renewAt(credentials.svid().leaf()));
        schedule(delay);
    }

    private void schedule(Duration delay) {
        if (closed) return;
        next = scheduler.schedule(this::renew, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Renews now (the CA's material or bundle changed), then on the usual schedule. */
    void renewNow() {
        ScheduledFuture<?> f = next;
        if (f != null) f.cancel(false);
        renew();
    }

    private synchronized void renew() {
        try {
            credentials.bundle(ca.bundle());
            credentials.svid(issue(ca, id));
            log.info("control plane: renewed its SVID ({}), valid until {}", id, credentials.svid().leaf().getNotAfter().toInstant());
            scheduleRenewal();
        } catch (CsrRejectedException | RuntimeException e) {
            Duration retry = schedule.retryDelay(credentials.svid().leaf());
            log.warn("control plane: renewing its own SVID failed ({}); retrying in {}", e.getMessage(), retry);
            schedule(retry);
        }
    }

    @Override
    public void close() {
        closed = true;
        ScheduledFuture<?> f = next;
        if (f != null) f.cancel(false);
    }
}
