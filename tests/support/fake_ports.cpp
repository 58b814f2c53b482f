#include <support/fake_ports.hpp>

#include <schemagate/util/error.hpp>

namespace schemagate::testing {

namespace {

// Forwards to a store the test owns, so that it outlives the use case.
class StoreRef final : public store::Store {
public:
    explicit StoreRef(store::Store& target) : m_target(target) {}
    std::vector<store::AppliedRevision> read_history(store::HistoryColumns c) override {
        return m_target.read_history(c);
    }
    void ensure_tables() override { m_target.ensure_tables(); }
    store::StepOutcome run_step(const store::Step& step, const std::string& by) override {
        return m_target.run_step(step, by);
    }
    void stamp(const std::vector<const migration::Migration*>& add,
               const std::vector<std::string>& remove, const std::string& by) override {
        m_target.stamp(add, remove, by);
    }
    std::optional<migration::RevisionSet> read_run_target(const store::RunTarget& key) override {
        return m_target.read_run_target(key);
    }
    void record_run_target(const store::RunTarget& key, const migration::RevisionSet& revisions,
                           const std::string& by) override {
        m_target.record_run_target(key, revisions, by);
    }
    void abandon_step(const std::string& id, const std::string& by) override {
        m_target.abandon_step(id, by);
    }
    std::vector<std::string> invalid_indexes() override { return m_target.invalid_indexes(); }
    void reconnect() override { m_target.reconnect(); }

private:
    store::Store& m_target;
};

class LockRef final : public lock::Lock {
public:
    explicit LockRef(lock::Lock& target) : m_target(target) {}
    void acquire(std::chrono::milliseconds timeout) override { m_target.acquire(timeout); }
    void check_held() override { m_target.check_held(); }
    void release() noexcept override { m_target.release(); }

private:
    lock::Lock& m_target;
};

class FakeFeed final : public store::HistoryFeed {
public:
    explicit FakeFeed(FakePorts& ports) : m_ports(ports) {}
    std::vector<store::AppliedRevision> read_history() override {
        return m_ports.store.read_history(store::HistoryColumns::state);
    }
    std::vector<std::string> wait(std::chrono::milliseconds timeout) override {
        ++m_ports.feed_waits;
        if (m_ports.on_wait) {
            m_ports.on_wait();
        }
        m_ports.clock_.advance(timeout);
        return std::exchange(m_ports.announce, {});
    }

private:
    FakePorts& m_ports;
};

} // namespace

void FakePorts::maybe_unreachable() {
    if (unreachable_opens > 0) {
        --unreachable_opens;
        throw DatabaseUnreachable("could not connect to the database (fake)");
    }
}

std::unique_ptr<store::Store> FakePorts::open_store() {
    maybe_unreachable();
    return std::make_unique<StoreRef>(store);
}

std::unique_ptr<lock::Lock> FakePorts::make_lock() {
    return std::make_unique<LockRef>(lock);
}

std::unique_ptr<store::HistoryFeed> FakePorts::open_feed() {
    maybe_unreachable();
    ++feeds_opened;
    return std::make_unique<FakeFeed>(*this);
}

} // namespace schemagate::testing
