package io.strait.mesh.store;

/** The contract, in memory. */
class MemoryStoreTest extends StoreContract {
    @Override
    ControlPlaneStore store() {
        return new MemoryStore();
    }
}
