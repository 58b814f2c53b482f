#include <schemagate/store/connection.hpp>

#include <cstdlib>
#include <filesystem>

#include <unistd.h>

#include <libpq-fe.h>
#include <pqxx/errorhandler>
#include <pqxx/except>
#include <spdlog/spdlog.h>

#include <schemagate/store/conninfo.hpp>
#include <schemagate/util/error.hpp>
#include <schemagate/util/secrets.hpp>
#include <schemagate/util/strings.hpp>

namespace schemagate::store {

class Connection::NoticeLogger final : public pqxx::errorhandler {
public:
    explicit NoticeLogger(pqxx::connection_base& conn) : pqxx::errorhandler(conn) {}
    bool operator()(const char msg[]) noexcept override {
        try {
            spdlog::debug("server: {}", util::trim(msg));
        } catch (...) {
        }
        return false;
    }
};

namespace {

// Whether libpq's default gssencmode=prefer could use GSSAPI encryption: it needs a Kerberos
// credential cache. libpq finds out with gss_acquire_cred(), which initialises Kerberos on
// every connect (0.5 MB and a config file read); a Pod seldom has a cache, so the usual places
// are checked here first: $KRB5CCNAME, or the default file cache /tmp/krb5cc_<uid>.
// PGGSSENCMODE, or gssencmode in the connection string, is the user's word and wins.
bool has_kerberos_credentials() {
    if (std::getenv("PGGSSENCMODE") != nullptr || std::getenv("KRB5CCNAME") != nullptr) {
        return true;
    }
    std::error_code ec;
    return std::filesystem::exists("/tmp/krb5cc_" + std::to_string(::getuid()), ec);
}

} // namespace

Conninfo with_defaults(const Conninfo& conninfo) {
    Conninfo out = conninfo;
    if (!conninfo.has("application_name") && std::getenv("PGAPPNAME") == nullptr) {
        out = out.with("application_name", "schemagate");
    }
    if (!conninfo.has("connect_timeout") && std::getenv("PGCONNECT_TIMEOUT") == nullptr) {
        out = out.with("connect_timeout", "10");
    }
    if (!conninfo.has("gssencmode") && !has_kerberos_credentials()) {
        out = out.with("gssencmode", "disable");
    }
    return out;
}

std::string describe(const std::exception& e) {
    std::string text = util::scrub(util::trim(e.what()));
    for (const char* prefix : {"ERROR:", "FATAL:"}) {
        if (text.rfind(prefix, 0) == 0) {
            text = std::string(util::trim(text.substr(std::char_traits<char>::length(prefix))));
        }
    }
    return text;
}

std::string sqlstate_of(const pqxx::failure& e) {
    if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e);
        sql && !sql->sqlstate().empty()) {
        return sql->sqlstate();
    }
    if (dynamic_cast<const pqxx::deadlock_detected*>(&e)) {
        return "40P01";
    }
    if (dynamic_cast<const pqxx::serialization_failure*>(&e)) {
        return "40001";
    }
    if (dynamic_cast<const pqxx::statement_completion_unknown*>(&e)) {
        return "40003";
    }
    if (dynamic_cast<const pqxx::transaction_rollback*>(&e)) {
        return "40000";
    }
    if (dynamic_cast<const pqxx::insufficient_privilege*>(&e)) {
        return "42501";
    }
    return "XX000";
}

Connection::Connection(const Conninfo& conninfo) {
    try {
        m_conn = std::make_unique<pqxx::connection>(with_defaults(conninfo).text());
    } catch (const pqxx::broken_connection& e) {
        // libpq checks option values (port, sslmode, ...) only when it connects; a bad value
        // is a configuration error that no retry will fix.
        const std::string reason = describe(e);
        if (reason.rfind("invalid ", 0) == 0) {
            throw UsageError("invalid database connection string: " + reason);
        }
        throw DatabaseUnreachable("cannot connect to the database: " + reason +
                                  "; check --database-url (or DATABASE_URL / PG* variables) "
                                  "and that the server is up");
    }
    m_notices = std::make_unique<NoticeLogger>(*m_conn);
}

Connection::~Connection() = default;

} // namespace schemagate::store
