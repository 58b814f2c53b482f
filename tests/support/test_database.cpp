#include <support/test_database.hpp>

#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <stdexcept>

#include <pqxx/pqxx>

#include <schemagate/migration/loader.hpp>

namespace schemagate::testing {

namespace {

std::map<std::string, std::string> read_env_file() {
    const char* path = std::getenv("SG_TEST_PGENV");
    if (path == nullptr) {
        throw std::runtime_error("SG_TEST_PGENV is not set; run the pg tests with ctest");
    }
    std::ifstream in(path);
    if (!in) {
        throw std::runtime_error(std::string("cannot read ") + path +
                                 "; did the pg_cluster_start fixture run?");
    }
    std::map<std::string, std::string> out;
    std::string line;
    while (std::getline(in, line)) {
        const auto eq = line.find('=');
        if (eq != std::string::npos) {
            out[line.substr(0, eq)] = line.substr(eq + 1);
        }
    }
    return out;
}

} // namespace

TestDatabase::TestDatabase() {
    auto env = read_env_file();
    m_password = env.at("PGTMP_PASSWORD");
    const std::string base = "postgresql://" + env.at("PGTMP_USER") + ":" + m_password + "@" +
                             env.at("PGTMP_HOST") + ":" + env.at("PGTMP_PORT") + "/";
    m_admin_url = base + "postgres";
    std::random_device rd;
    m_name = "sg_gtest_" + std::to_string(rd()) + std::to_string(rd());
    m_url = base + m_name;
    pqxx::connection admin(m_admin_url);
    pqxx::nontransaction(admin).exec("CREATE DATABASE " + m_name);
}

TestDatabase::~TestDatabase() {
    try {
        pqxx::connection admin(m_admin_url);
        pqxx::nontransaction(admin).exec("DROP DATABASE IF EXISTS " + m_name + " WITH (FORCE)");
    } catch (...) {
        // The cluster goes away with the fixture anyway.
    }
}

std::string TestDatabase::query_value(const std::string& sql) const {
    pqxx::connection conn(m_url);
    pqxx::nontransaction txn(conn);
    const auto rows = txn.exec(sql);
    if (rows.empty() || rows[0][0].is_null()) {
        return {};
    }
    return rows[0][0].as<std::string>();
}

void TestDatabase::exec(const std::string& sql) const {
    pqxx::connection conn(m_url);
    pqxx::nontransaction(conn).exec(sql);
}

std::filesystem::path source_dir() {
    return SCHEMAGATE_SOURCE_DIR;
}

migration::RevisionGraph fixture_graph(const std::string& name) {
    return migration::RevisionGraph(
        migration::load_migrations({source_dir() / "tests/fixtures" / name}));
}

} // namespace schemagate::testing
