#pragma once

#include <memory>
#include <string>

#include <pqxx/connection>
#include <pqxx/except>

#include <schemagate/store/conninfo.hpp>

namespace schemagate::store {

// An open libpqxx connection whose server notices go to the debug log instead of stderr.
class Connection {
public:
    // Connects with `conninfo`, adding application_name=schemagate and a 10s connect_timeout
    // unless they are set. Throws DatabaseUnreachable with a message that never contains the
    // password, UsageError for an option value libpq refuses when it connects.
    explicit Connection(const Conninfo& conninfo);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    pqxx::connection& get() { return *m_conn; }

private:
    class NoticeLogger;
    std::unique_ptr<pqxx::connection> m_conn;
    std::unique_ptr<NoticeLogger> m_notices;
};

// `conninfo` with schemagate's connection defaults added (through Conninfo::with, so a URI
// becomes key=value pairs); exposed for tests.
Conninfo with_defaults(const Conninfo& conninfo);

// The first line of a libpq/libpqxx error, without the "ERROR:" prefix, secrets scrubbed.
std::string describe(const std::exception& e);

// The SQLSTATE of a server error. libpqxx 6 reports deadlocks and serialization failures as
// pqxx::transaction_rollback (not sql_error) without one, and some sql_error subclasses with
// an empty one, so it is recovered from the exception's type where needed.
std::string sqlstate_of(const pqxx::failure& e);

} // namespace schemagate::store
