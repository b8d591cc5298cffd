/**
 * API-key authentication: key format and hashing ({@link io.strait.gateway.apikey.ApiKeys}), key records,
 * the file and Redis stores, a caching lookup in front of them, and the
 * {@link io.strait.gateway.apikey.ApiKeyAuthenticator}. Stores hold only SHA-256 hashes of keys, never a key.
 */
package io.strait.gateway.apikey;
