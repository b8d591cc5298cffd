/**
 * Config distribution with xDS state-of-the-world semantics over {@code ConfigDiscoveryService.StreamConfig}.
 *
 * <h2>The protocol</h2>
 * One long-lived bidirectional stream per sidecar. The sidecar's first request names its {@code Node} and
 * subscribes to a type ({@code type_url}, see {@link io.strait.mesh.xds.TypeUrls}); it sends one such request per
 * type, with {@code version_info} empty on a first connect or the version it runs after a reconnect. The control
 * plane answers with a {@code DiscoveryResponse}: <em>every</em> resource of the type (never a delta), a
 * {@code version_info} and a fresh {@code nonce}. The sidecar answers each response with a request of the same
 * type naming that nonce ({@code response_nonce}):
 * <ul>
 *   <li><b>ACK</b>: {@code version_info} = the response's version: it now runs it;</li>
 *   <li><b>NACK</b>: {@code version_info} = the last version it accepted and {@code error_detail} = why it
 *       refused this one; it keeps running the last good resources.</li>
 * </ul>
 * A request whose nonce is not the last one sent for its type answers an older push and is ignored (stale).
 * After a NACK the control plane sends that type again only when its config changes. A sidecar that reconnects
 * naming the version the control plane has now is sent nothing for that type.
 *
 * <h2>The classes</h2>
 * <ul>
 *   <li>{@link io.strait.mesh.xds.DiscoveryServer}: the control plane's service. Resources come from a snapshot
 *       cache ({@code set(nodeId, typeUrl, version, resources)}, pushed at once to that node's open stream) and/or
 *       a {@code source} function asked on connect and on {@code refresh()}. A
 *       {@link io.strait.mesh.xds.DiscoveryServer.Listener} is told when a node's stream opens (build its snapshot
 *       then) and closes; {@code status()} and {@code lastErrors()} feed an admin view.</li>
 *   <li>{@link io.strait.mesh.xds.DiscoveryClient}: the sidecar's side over a {@code ManagedChannel} built by the
 *       transport. One {@link io.strait.mesh.xds.DiscoveryClient.Handler} per type applies or refuses a version;
 *       the client ACKs or NACKs, keeps the last accepted resources, and reconnects after a stream ends with full
 *       jitter backoff: a random wait in [0, cap], cap 0.5 s doubling to 30 s, back to 0.5 s after a stream that
 *       delivered a response. {@code status()} shows connected, versions, the last NACK, attempts.</li>
 *   <li>{@link io.strait.mesh.xds.VersionedResources}: a type's resources with a content-hash version (the same
 *       content has the same version across control plane restarts, so a reconnect pushes nothing new).</li>
 * </ul>
 * Neither side blocks a gRPC or Netty thread: handlers and listeners run on the stream's gRPC executor thread and
 * must hand slow work elsewhere; pushes are {@code onNext} calls, which only queue.
 */
package io.strait.mesh.xds;
