/**
 * Route auth policies: which credentials a route accepts ({@link io.strait.gateway.auth.Authenticator}
 * per kind), how they combine (any-of, all-of, required scopes), the 401/403 answers, and the identity
 * headers sent upstream (and stripped from every client request).
 */
package io.strait.gateway.auth;
