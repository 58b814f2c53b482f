#pragma once

#include <chrono>
#include <functional>

#include <schemagate/lock/lock.hpp>

#include <support/events.hpp>

namespace schemagate::testing {

// A migration lock that records acquire ("acquire"), check_held ("check_held") and release
// ("release"). It can time out, report the lock lost, or run `on_acquire` while "waiting" to
// stand for another copy of schemagate doing work before we get the lock.
class FakeLock final : public lock::Lock, public Recorder {
public:
    using Recorder::Recorder; // records to a list of its own, or to one it shares

    bool time_out = false;            // acquire throws LockTimeout
    bool lost = false;                // check_held throws DatabaseUnreachable
    std::function<void()> on_acquire; // runs inside acquire, before the lock is held

    int acquire_calls = 0;
    int release_calls = 0;
    int check_held_calls = 0;
    std::chrono::milliseconds last_timeout{0};
    bool held = false;

    void acquire(std::chrono::milliseconds timeout) override;
    void check_held() override;
    void release() noexcept override;
};

} // namespace schemagate::testing
