#include <support/recording_observer.hpp>

namespace schemagate::testing {

void RecordingObserver::lock_waited(std::chrono::milliseconds waited) {
    lock_waits.push_back(waited);
    record("lock_waited " + std::to_string(waited.count()) + "ms");
}

void RecordingObserver::step_retried(const std::string& id) {
    retried.push_back(id);
    record("step_retried " + id);
}

void RecordingObserver::step_done(const std::string& id, migration::Direction direction,
                                  std::chrono::milliseconds took) {
    done.push_back({id, direction, took});
    record("step_done " + std::string(migration::to_string(direction)) + " " + id + " " +
           std::to_string(took.count()) + "ms");
}

} // namespace schemagate::testing
