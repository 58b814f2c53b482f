#include <schemagate/store/pg.hpp>

#include <schemagate/store/change_listener.hpp>
#include <schemagate/store/pg_store.hpp>

namespace schemagate::store {

namespace {

class PgHistoryFeed final : public HistoryFeed {
public:
    PgHistoryFeed(const Conninfo& conninfo, const HistoryTable& table)
        : m_store(conninfo, table), m_listener(m_store, table) {}

    std::vector<AppliedRevision> read_history() override {
        return m_store.read_history(HistoryColumns::state);
    }
    std::vector<std::string> wait(std::chrono::milliseconds timeout) override {
        return m_listener.wait(timeout);
    }

private:
    PgStore m_store;
    ChangeListener m_listener;
};

} // namespace

std::unique_ptr<Store> open_pg_store(const Conninfo& conninfo, const HistoryTable& table) {
    return std::make_unique<PgStore>(conninfo, table);
}

std::unique_ptr<HistoryFeed> open_history_feed(const Conninfo& conninfo,
                                               const HistoryTable& table) {
    return std::make_unique<PgHistoryFeed>(conninfo, table);
}

} // namespace schemagate::store
