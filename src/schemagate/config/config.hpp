#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include <schemagate/store/conninfo.hpp>
#include <schemagate/store/history_table.hpp>

namespace schemagate::config {

// The options every command shares, after resolving all sources.
struct Config {
    // libpq's parse of the database URL (empty: libpq's PG* variables), or why libpq refused it
    // (without the password); database() raises that where a command first needs the database,
    // so a command that never connects is not stopped by it, as before.
    tl::expected<store::Conninfo, std::string> database_url;
    std::vector<std::filesystem::path> dirs{"migrations"};
    store::HistoryTable history_table;
    std::chrono::milliseconds lock_timeout{std::chrono::minutes(10)};
    std::chrono::milliseconds ddl_lock_timeout{std::chrono::seconds(2)};
    std::chrono::milliseconds statement_timeout{std::chrono::minutes(15)};
    int lock_retries = 10;
    std::string run_id; // "" for none
    bool allow_drift = false;
    bool allow_unknown = false;
    std::string log_level = "info";
    std::string log_format = "text"; // text or json
    std::string listen;              // ADDR:PORT for /healthz, /readyz, /metrics; "" for none
    std::chrono::milliseconds linger{0};
    std::chrono::milliseconds interval{std::chrono::seconds(10)};
    std::string pushgateway; // http://host:port; "" for none
    std::string termination_log = "/dev/termination-log";
    bool termination_log_given = false; // set by a flag, variable or config: may create the file

    // The parsed database connection string. Throws UsageError when libpq refused it.
    const store::Conninfo& database() const;
};

enum class Kind { text, list, duration, count, toggle };
enum class Secret { no, yes };

// One shared option: its name (as a flag, a config key, a file in --config-dir, and, upper
// cased with '_', after SCHEMAGATE_), how its value is read, its default and its help.
struct OptionSpec {
    std::string name;
    Kind kind;
    std::string default_text; // for help and `schemagate config`
    std::string help;
    Secret secret = Secret::no;
};

// Every shared option, in the order help and `schemagate config` list them.
const std::vector<OptionSpec>& option_specs();
const OptionSpec* find_option(const std::string& name);

// A value and where it came from: "flag --dir", "env SCHEMAGATE_DIR",
// "config file /etc/sg.conf:3", "config dir /etc/schemagate/dir", "env DATABASE_URL".
struct Setting {
    std::vector<std::string> values; // one, but several for a list; "true" for a set toggle
    std::string source;
};
using Settings = std::map<std::string, Setting>;

// The process environment as name -> value, so tests can pass their own.
using Environment = std::map<std::string, std::string>;
Environment process_environment();

// Layers the sources, highest first: `flags`, then SCHEMAGATE_<OPTION> variables, then the
// --config file, then the --config-dir directory (whose names starting with '.' are skipped,
// as a mounted ConfigMap's ..data is), then DATABASE_URL for the database. A key no option
// has is an error naming where it came from. Throws UsageError.
Settings gather(const Settings& flags, const Environment& env);

// Reads every setting into a Config; a bad value is an error naming its source. Registers
// the database password (and --database-password-file's content) as secrets. Throws
// UsageError.
Config resolve(const Settings& settings);

// Who applies migrations, recorded in the history: $POD_NAME, else $HOSTNAME, else the host name.
std::string applied_by();

} // namespace schemagate::config
