#pragma once

#include <chrono>

namespace schemagate::util {

// Time as the lock's backoff loop sees it; tests inject a fake that advances on sleep.
class Clock {
public:
    virtual ~Clock() = default;
    virtual std::chrono::steady_clock::time_point now() const = 0;
    virtual void sleep_for(std::chrono::milliseconds d) = 0;
};

class SystemClock final : public Clock {
public:
    std::chrono::steady_clock::time_point now() const override;
    void sleep_for(std::chrono::milliseconds d) override;
};

} // namespace schemagate::util
