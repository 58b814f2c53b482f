#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <schemagate/store/conninfo.hpp>
#include <schemagate/store/history_table.hpp>
#include <schemagate/store/store.hpp>

namespace schemagate::store {

// The PostgreSQL store behind the Store seam, for modules that must not see libpqxx (the
// application's ports). Throws DatabaseUnreachable, UsageError for a bad connection string.
std::unique_ptr<Store> open_pg_store(const Conninfo& conninfo, const HistoryTable& table);

// One connection that reads the history and hears of changes to it (LISTEN on the history
// table's channel), for `wait` and `serve`: a waiter costs the database one connection.
class HistoryFeed {
public:
    virtual ~HistoryFeed() = default;
    // The history's state columns. Throws DatabaseUnreachable.
    virtual std::vector<AppliedRevision> read_history() = 0;
    // The revisions announced since the last call, waiting up to `timeout` for one; none when
    // it passed first. Throws DatabaseUnreachable.
    virtual std::vector<std::string> wait(std::chrono::milliseconds timeout) = 0;
};

// A feed on PostgreSQL. Throws DatabaseUnreachable.
std::unique_ptr<HistoryFeed> open_history_feed(const Conninfo& conninfo, const HistoryTable& table);

} // namespace schemagate::store
