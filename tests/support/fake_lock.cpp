#include <support/fake_lock.hpp>

#include <schemagate/util/error.hpp>

namespace schemagate::testing {

void FakeLock::acquire(std::chrono::milliseconds timeout) {
    ++acquire_calls;
    last_timeout = timeout;
    record("acquire");
    if (time_out) {
        throw LockTimeout("timed out waiting for the migration lock");
    }
    if (on_acquire) {
        on_acquire();
    }
    held = true;
}

void FakeLock::check_held() {
    ++check_held_calls;
    record("check_held");
    if (lost) {
        held = false;
        throw DatabaseUnreachable("lost the migration lock with its connection");
    }
}

void FakeLock::release() noexcept {
    ++release_calls;
    held = false;
    try {
        record("release");
    } catch (...) {
        // Out of memory while recording: release() must not throw.
    }
}

} // namespace schemagate::testing
