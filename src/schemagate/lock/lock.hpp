#pragma once

#include <chrono>

namespace schemagate::lock {

// The migration lock. PgAdvisoryLock is the real one; tests use a recording fake.
class Lock {
public:
    virtual ~Lock() = default;
    // Blocks until the lock is held or `timeout` passes. Throws LockTimeout (exit 3) or
    // DatabaseUnreachable.
    virtual void acquire(std::chrono::milliseconds timeout) = 0;
    // Throws DatabaseUnreachable when the lock was lost with its connection. Called before
    // every revision, so it must be cheap: it may answer without a round trip.
    virtual void check_held() = 0;
    // Releases the lock if held; never throws.
    virtual void release() noexcept = 0;
};

} // namespace schemagate::lock
