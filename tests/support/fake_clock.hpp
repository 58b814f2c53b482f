#pragma once

#include <chrono>
#include <vector>

#include <schemagate/util/clock.hpp>

namespace schemagate::testing {

// Time that passes only when slept through or advanced by the test; records each sleep.
class FakeClock final : public util::Clock {
public:
    std::chrono::steady_clock::time_point now() const override { return m_now; }
    void sleep_for(std::chrono::milliseconds d) override;
    // Moves time on without recording a sleep (time spent elsewhere, e.g. in a slow call).
    void advance(std::chrono::milliseconds d) { m_now += d; }

    // Every sleep_for, in order.
    std::vector<std::chrono::milliseconds> sleeps;

private:
    std::chrono::steady_clock::time_point m_now{};
};

} // namespace schemagate::testing
