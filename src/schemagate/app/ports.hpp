#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <schemagate/lock/lock.hpp>
#include <schemagate/migration/graph.hpp>
#include <schemagate/store/pg.hpp>
#include <schemagate/store/store.hpp>
#include <schemagate/util/clock.hpp>

namespace schemagate::config {
struct Config;
}

namespace schemagate::app {

// How the use cases reach the world: the migration files, the database, the lock and time.
// `pg_ports` is the real one; tests use recording fakes (tests/support).
class Ports {
public:
    virtual ~Ports() = default;
    // The migration files as a graph. Throws UsageError / IntegrityError.
    virtual migration::RevisionGraph load_graph() = 0;
    // A store on the database. Throws DatabaseUnreachable.
    virtual std::unique_ptr<store::Store> open_store() = 0;
    // The migration lock (not yet taken).
    virtual std::unique_ptr<lock::Lock> make_lock() = 0;
    // A connection that reads the history and hears of changes. Throws DatabaseUnreachable.
    virtual std::unique_ptr<store::HistoryFeed> open_feed() = 0;
    virtual util::Clock& clock() = 0;
};

// The real ports: the files of --dir, PostgreSQL at --database-url, the system clock.
// `config` must outlive them.
std::unique_ptr<Ports> pg_ports(const config::Config& config);

} // namespace schemagate::app
