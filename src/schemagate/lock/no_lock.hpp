#pragma once

#include <chrono>

#include <schemagate/lock/lock.hpp>

namespace schemagate::lock {

// A Lock that locks nothing, for `--sql`: printing a script touches no database, so there is
// nothing to serialize. Never throws.
class NoLock final : public Lock {
public:
    void acquire(std::chrono::milliseconds /*timeout*/) override {}
    void check_held() override {}
    void release() noexcept override {}
};

} // namespace schemagate::lock
