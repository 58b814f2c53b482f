#include <schemagate/store/change_listener.hpp>

#include <utility>

#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include <schemagate/util/error.hpp>

namespace schemagate::store {

class ChangeListener::Receiver final : public pqxx::notification_receiver {
public:
    Receiver(pqxx::connection_base& conn, const std::string& channel)
        : pqxx::notification_receiver(conn, channel) {}
    void operator()(const std::string& payload, int /*backend_pid*/) override {
        spdlog::debug("notified: {} applied", payload);
        payloads.push_back(payload);
    }
    std::vector<std::string> payloads;
};

ChangeListener::ChangeListener(PgStore& store, const HistoryTable& table) : m_store(store) {
    try {
        m_receiver = std::make_unique<Receiver>(store.connection(), table.channel());
    } catch (const pqxx::broken_connection& e) {
        throw DatabaseUnreachable("lost the database connection: " + describe(e));
    }
}

ChangeListener::~ChangeListener() = default;

std::vector<std::string> ChangeListener::wait(std::chrono::milliseconds timeout) {
    try {
        if (m_receiver->payloads.empty()) {
            const long long ms = timeout.count();
            m_store.connection().await_notification(ms / 1000, (ms % 1000) * 1000);
        }
        return std::exchange(m_receiver->payloads, {});
    } catch (const pqxx::broken_connection& e) {
        throw DatabaseUnreachable("lost the database connection: " + describe(e));
    }
}

} // namespace schemagate::store
