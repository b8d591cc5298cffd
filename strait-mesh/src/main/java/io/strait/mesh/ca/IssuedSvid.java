package io.strait.mesh.ca;

import io.strait.mesh.identity.SpiffeId;
import io.strait.mesh.identity.TrustBundle;
import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/** An X.509 SVID the CA signed: the chain to hand the workload (leaf first, without the root) and its facts. */
public record IssuedSvid(SpiffeId id, List<X509Certificate> chain, BigInteger serial, Instant notBefore, Instant notAfter) {
    public IssuedSvid {
        chain = List.copyOf(chain);
    }

    public X509Certificate leaf() {
        return chain.get(0);
    }

    /** The chain as PEM, leaf first. */
    public String chainPem() {
        StringBuilder b = new StringBuilder();
        for (X509Certificate c : chain) b.append(TrustBundle.pem(c));
        return b.toString();
    }
}
