#pragma once

#include <filesystem>
#include <string>

#include <schemagate/migration/graph.hpp>
#include <schemagate/store/conninfo.hpp>

namespace schemagate::testing {

// A database of its own for one test, in the throwaway cluster that the CTest fixture started
// (see scripts/pg-tmp.sh). Created in the constructor, dropped in the destructor.
class TestDatabase {
public:
    TestDatabase();
    ~TestDatabase();
    TestDatabase(const TestDatabase&) = delete;
    TestDatabase& operator=(const TestDatabase&) = delete;

    // A URI with the cluster's password, to this test's database.
    const std::string& url() const { return m_url; }
    // url(), parsed, for what connects through store or lock.
    store::Conninfo conninfo() const { return store::Conninfo::parse(m_url); }
    const std::string& name() const { return m_name; }
    const std::string& password() const { return m_password; }

    // Runs SQL in this test's database and returns the first column of the first row ("" if none).
    std::string query_value(const std::string& sql) const;
    // Runs SQL in this test's database.
    void exec(const std::string& sql) const;

private:
    std::string m_admin_url;
    std::string m_url;
    std::string m_name;
    std::string m_password;
};

// The repository root, for fixtures and the sample migrations.
std::filesystem::path source_dir();

// The revision graph of tests/fixtures/<name>. Throws what load_migrations throws.
migration::RevisionGraph fixture_graph(const std::string& name);

} // namespace schemagate::testing
