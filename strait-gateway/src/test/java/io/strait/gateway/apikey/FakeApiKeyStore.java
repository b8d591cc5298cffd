package io.strait.gateway.apikey;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/** An in-memory store that counts lookups and can hold them (answer later) or fail them. */
class FakeApiKeyStore implements ApiKeyStore {
    final AtomicInteger lookups = new AtomicInteger();
    final Map<String, ApiKeyRecord> records = new ConcurrentHashMap<>();
    final ConcurrentLinkedQueue<Runnable> held = new ConcurrentLinkedQueue<>();
    volatile boolean hold;
    volatile boolean fail;

    @Override
    public CompletionStage<Optional<ApiKeyRecord>> lookup(String hash) {
        lookups.incrementAndGet();
        CompletableFuture<Optional<ApiKeyRecord>> f = new CompletableFuture<>();
        Runnable answer = () -> {
            if (fail) f.completeExceptionally(new ApiKeyStoreException("fake store down"));
            else f.complete(Optional.ofNullable(records.get(hash)));
        };
        if (hold) held.add(answer);
        else answer.run();
        return f;
    }

    /** Answers every held lookup. */
    void release() {
        Runnable r;
        while ((r = held.poll()) != null) r.run();
    }

    @Override
    public void create(String hash, ApiKeyRecord record) {
        records.put(hash, record);
    }

    @Override
    public List<ApiKeyRecord> list() {
        return new ArrayList<>(records.values());
    }

    @Override
    public Optional<ApiKeyRecord> revoke(String id) {
        for (Map.Entry<String, ApiKeyRecord> e : records.entrySet()) {
            if (e.getValue().id().equals(id)) {
                ApiKeyRecord r = e.getValue().withStatus(ApiKeyRecord.Status.REVOKED);
                e.setValue(r);
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    @Override
    public String describe() {
        return "fake";
    }

    @Override
    public void close() {}
}
