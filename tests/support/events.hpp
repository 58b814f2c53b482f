#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace schemagate::testing {

// What the recording fakes were asked to do, one line per call, in order ("acquire",
// "run_step up 002"). Fakes that share one list let a test assert on the order across them.
using Events = std::vector<std::string>;

// The position of the first `event` in `events`, or events.size() when it is absent.
std::size_t index_of(const Events& events, std::string_view event);

// How many times `event` occurs in `events`.
std::size_t count_of(const Events& events, std::string_view event);

// Base of the recording fakes: appends each call to a list shared with other fakes, or to a
// list of its own when constructed without one.
class Recorder {
public:
    Recorder() : m_events(&m_own) {}
    explicit Recorder(Events& shared) : m_events(&shared) {}
    Recorder(const Recorder&) = delete;
    Recorder& operator=(const Recorder&) = delete;

    // Every call recorded so far (by this fake and those sharing its list).
    const Events& events() const { return *m_events; }

protected:
    ~Recorder() = default;
    void record(std::string event) const { m_events->push_back(std::move(event)); }

private:
    Events m_own;
    Events* m_events;
};

} // namespace schemagate::testing
