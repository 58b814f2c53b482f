#pragma once

#include <compare>
#include <memory>
#include <string>
#include <vector>

#include <schemagate/store/conninfo.hpp>
#include <schemagate/store/history_table.hpp>

namespace schemagate::store {

class Connection;

// One schema object as the catalogs describe it: `key` names it ("index public.guilds_tag_key",
// "column public.guilds.tag"), `detail` is its normalized definition on one line.
struct CatalogObject {
    std::string key;
    std::string detail;

    friend auto operator<=>(const CatalogObject&, const CatalogObject&) = default;
    // "key: detail", or just the key when there is no detail.
    std::string line() const;
};

// A database's schema: every object in the non-system schemas except the history tables,
// sorted by key then detail. Two equal snapshots mean equal schemas (data is not compared).
struct SchemaSnapshot {
    std::vector<CatalogObject> objects;

    // Sorts `objects` and turns line breaks in details into spaces.
    static SchemaSnapshot from(std::vector<CatalogObject> objects);
    friend bool operator==(const SchemaSnapshot&, const SchemaSnapshot&) = default;
};

// The difference between two snapshots as unified-diff body lines: "- line" for an object only
// in `before` (or defined differently there), "+ line" for one only in `after`, ordered by key
// with "-" before "+" for the same key. Empty when the snapshots are equal.
std::vector<std::string> diff_snapshots(const SchemaSnapshot& before, const SchemaSnapshot& after);

// Where verify reads schemas from; PgCatalog is the real one, tests may fake it.
class Catalog {
public:
    virtual ~Catalog() = default;
    // Throws DatabaseUnreachable, or Error (exit 1) when a catalog query fails.
    virtual SchemaSnapshot snapshot() = 0;
};

// Reads the schema of one PostgreSQL database from pg_catalog, on a connection of its own.
class PgCatalog final : public Catalog {
public:
    // Connects at once; throws UsageError for a bad option value, DatabaseUnreachable.
    PgCatalog(const Conninfo& conninfo, HistoryTable history);
    ~PgCatalog() override;
    PgCatalog(const PgCatalog&) = delete;
    PgCatalog& operator=(const PgCatalog&) = delete;

    SchemaSnapshot snapshot() override;
    // Tables, views, materialized views and foreign tables outside the system schemas, other
    // than the history tables and extension members, schema-qualified and sorted.
    std::vector<std::string> user_relations();

private:
    HistoryTable m_history;
    std::unique_ptr<Connection> m_conn;
};

// A database created for one run, dropped WITH (FORCE) when this object goes away (also when
// the run fails). Create it before, and destroy it after, everything connected to it.
class ScratchDatabase {
public:
    // Connects with `server_conninfo` and creates `<prefix><12 random hex digits>`. Throws
    // UsageError when the role may not create databases, DatabaseUnreachable.
    explicit ScratchDatabase(const Conninfo& server_conninfo,
                             const std::string& prefix = "schemagate_verify_");
    // Drops the database; logs a warning naming it when that fails.
    ~ScratchDatabase();
    ScratchDatabase(const ScratchDatabase&) = delete;
    ScratchDatabase& operator=(const ScratchDatabase&) = delete;

    const std::string& name() const { return m_name; }
    // The server's connection string pointing at the scratch database (holds the password).
    const Conninfo& conninfo() const { return m_conninfo; }

private:
    Conninfo m_server_conninfo;
    std::string m_name;
    Conninfo m_conninfo;
};

} // namespace schemagate::store
