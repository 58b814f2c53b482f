#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <schemagate/store/history_table.hpp>

namespace schemagate::config {

// The options every command shares, after resolving defaults and the environment.
struct Config {
    std::string database_url;  // "" means libpq's PG* variables
    std::vector<std::filesystem::path> dirs{"migrations"};
    store::HistoryTable history_table;
    std::chrono::milliseconds lock_timeout{std::chrono::minutes(10)};
    std::chrono::milliseconds ddl_lock_timeout{std::chrono::seconds(2)};
    std::chrono::milliseconds statement_timeout{std::chrono::minutes(15)};
    int lock_retries = 10;
    bool allow_drift = false;
    bool allow_unknown = false;
    std::string log_level = "info";
};

// The raw values given on the command line; absent means "not given".
struct Flags {
    std::optional<std::string> database_url;
    std::vector<std::string> dirs;
    std::optional<std::string> history_table;
    std::optional<std::string> lock_timeout;
    std::optional<std::string> ddl_lock_timeout;
    std::optional<std::string> statement_timeout;
    std::optional<std::string> lock_retries;
    bool allow_drift = false;
    bool allow_unknown = false;
    std::optional<std::string> log_level;
};

// Flags first, then DATABASE_URL for the database, then built-in defaults.
// Throws UsageError naming the bad option.
Config resolve(const Flags& flags);

// Who applies migrations, recorded in the history: $POD_NAME, else $HOSTNAME, else the host name.
std::string applied_by();

}  // namespace schemagate::config
