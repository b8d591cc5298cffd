/**
 * The {@code xfcc} filter: on a sidecar's inbound routes, removes any {@code X-Forwarded-Client-Cert} a client
 * sent and sets the verified caller's identity in Envoy's format for the local app.
 */
package io.strait.mesh.xfcc;
