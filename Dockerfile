# The Strait image, made from the release tarball (build it first: bin/release). No JDK, no Maven: the tarball
# carries its own Java runtime. One image for every role: the gateway (the default command), the sidecar and the
# control plane (`docker run IMAGE sidecar --config ...`, `... control-plane --config ...`).
#   bin/release && docker build -t strait:0.1.0 --build-arg VERSION=0.1.0-SNAPSHOT .
#   docker run --rm -p 8080:8080 -v $PWD/gateway.yaml:/etc/strait/gateway.yaml:ro strait:0.1.0
# Not built in this project's CI (its machines have no Docker engine): see docs/install.md.
FROM debian:bookworm-slim

ARG VERSION=0.1.0-SNAPSHOT

# curl for the health check (and `systemctl reload`-style POST /reload from inside); ca-certificates for upstream TLS
# checked against the system's roots.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 strait \
    && useradd --system --uid 10001 --gid strait --home-dir /var/lib/strait --shell /usr/sbin/nologin strait

# ADD unpacks a local tarball, keeping the files' times: the AOT cache checks the jar's.
ADD dist/strait-${VERSION}-linux-x86_64.tar.gz /opt/
RUN ln -s "/opt/strait-${VERSION}" /opt/strait \
    && ln -s /opt/strait/bin/strait /usr/local/bin/strait \
    && mkdir -p /etc/strait /var/lib/strait /var/log/strait \
    && sed 's/address: 127.0.0.1:9901/address: 0.0.0.0:9901/' /opt/strait/conf/gateway.yaml >/etc/strait/gateway.yaml \
    && chown strait:strait /var/lib/strait /var/log/strait

USER 10001:10001
WORKDIR /var/lib/strait
# gateway: 8080 http, 8443 https, 9901 admin; sidecar: 15001 outbound, 15006 inbound, 15000 admin;
# control plane: 15012 API, 15014 admin, 15017 injection webhook
EXPOSE 8080 8443 9901 15000 15001 15006 15012 15014 15017
# The gateway's admin port; a container running another role sets its own (or --no-healthcheck).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:9901/ready"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/opt/strait/bin/strait"]
CMD ["gateway", "--config", "/etc/strait/gateway.yaml"]
