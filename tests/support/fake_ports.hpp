#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <schemagate/app/ports.hpp>

#include <support/fake_clock.hpp>
#include <support/fake_lock.hpp>
#include <support/fake_store.hpp>

namespace schemagate::testing {

// The application's ports over the recording fakes: every open_store and open_feed reaches the
// one FakeStore (so a test sees all that the use case did), make_lock the one FakeLock, and
// time is the FakeClock. A feed's wait advances the clock by its timeout, after running
// `on_wait` (another process at work: a test moves the database there) and returning what
// `announce` then holds (the NOTIFY payloads), cleared.
class FakePorts final : public app::Ports {
public:
    explicit FakePorts(migration::RevisionGraph graph) : m_graph(std::move(graph)) {}

    FakeStore store;
    FakeLock lock;
    FakeClock clock_;
    std::function<void()> on_wait;
    std::vector<std::string> announce;
    int unreachable_opens = 0; // open_store / open_feed throw DatabaseUnreachable this often first
    int feeds_opened = 0;
    int feed_waits = 0;

    migration::RevisionGraph load_graph() override { return m_graph; }
    std::unique_ptr<store::Store> open_store() override;
    std::unique_ptr<lock::Lock> make_lock() override;
    std::unique_ptr<store::HistoryFeed> open_feed() override;
    util::Clock& clock() override { return clock_; }

private:
    void maybe_unreachable();

    migration::RevisionGraph m_graph;
};

} // namespace schemagate::testing
