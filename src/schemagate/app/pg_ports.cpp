#include <schemagate/app/ports.hpp>

#include <schemagate/config/config.hpp>
#include <schemagate/lock/pg_advisory_lock.hpp>
#include <schemagate/migration/loader.hpp>
#include <schemagate/store/pg.hpp>

namespace schemagate::app {

namespace {

class PgPorts final : public Ports {
public:
    explicit PgPorts(const config::Config& config) : m_config(config) {}

    migration::RevisionGraph load_graph() override {
        return migration::RevisionGraph(migration::load_migrations(m_config.dirs));
    }
    std::unique_ptr<store::Store> open_store() override {
        return store::open_pg_store(m_config.database(), m_config.history_table);
    }
    std::unique_ptr<lock::Lock> make_lock() override {
        return std::make_unique<lock::PgAdvisoryLock>(m_config.database(),
                                                      m_config.history_table.lock_key(), m_clock);
    }
    std::unique_ptr<store::HistoryFeed> open_feed() override {
        return store::open_history_feed(m_config.database(), m_config.history_table);
    }
    util::Clock& clock() override { return m_clock; }

private:
    const config::Config& m_config;
    util::SystemClock m_clock;
};

} // namespace

std::unique_ptr<Ports> pg_ports(const config::Config& config) {
    return std::make_unique<PgPorts>(config);
}

} // namespace schemagate::app
