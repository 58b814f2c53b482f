#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <schemagate/runner/runner.hpp>

#include <support/events.hpp>

namespace schemagate::testing {

// A runner Observer that records each call ("lock_waited 1500ms", "step_retried 002",
// "step_done upgrade 001 20ms") and keeps the arguments for typed assertions.
class RecordingObserver final : public runner::Observer, public Recorder {
public:
    using Recorder::Recorder; // records to a list of its own, or to one it shares

    struct StepDone {
        std::string id;
        migration::Direction direction = migration::Direction::up;
        std::chrono::milliseconds took{0};
    };
    std::vector<std::chrono::milliseconds> lock_waits;
    std::vector<std::string> retried;
    std::vector<StepDone> done;

    void lock_waited(std::chrono::milliseconds waited) override;
    void step_retried(const std::string& id) override;
    void step_done(const std::string& id, migration::Direction direction,
                   std::chrono::milliseconds took) override;
};

} // namespace schemagate::testing
