#include <schemagate/config/config.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include <schemagate/store/conninfo.hpp>
#include <schemagate/util/duration.hpp>
#include <schemagate/util/error.hpp>
#include <schemagate/util/secrets.hpp>
#include <schemagate/util/strings.hpp>

extern char** environ;

namespace schemagate::config {

namespace {

constexpr std::string_view k_env_prefix = "SCHEMAGATE_";

std::string read_text(const std::filesystem::path& path, const std::string& what) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw UsageError(what + ": cannot read " + path.string() +
                         "; check that it is mounted and readable");
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

// The values a source gives for one option: a list splits on commas (and, in a config
// directory, on lines); anything else is one trimmed value.
std::vector<std::string> values_of(const OptionSpec& spec, const std::string& raw) {
    if (spec.kind != Kind::list) {
        return {std::string(util::trim(raw))};
    }
    std::vector<std::string> out;
    std::string flattened = raw;
    std::replace(flattened.begin(), flattened.end(), '\n', ',');
    for (auto& piece : util::split_trimmed(flattened, ',')) {
        if (!piece.empty()) {
            out.push_back(std::move(piece));
        }
    }
    return out;
}

// Adds a value from a lower-precedence source unless a higher one already set the option.
// A list given several times by the same source (a config file's repeated `dir =`) grows.
void offer(Settings& out, const OptionSpec& spec, std::vector<std::string> values,
           const std::string& source, const std::string& source_kind) {
    auto it = out.find(spec.name);
    if (it == out.end()) {
        out[spec.name] = {std::move(values), source};
    } else if (spec.kind == Kind::list && it->second.source.rfind(source_kind, 0) == 0) {
        it->second.values.insert(it->second.values.end(), values.begin(), values.end());
    }
}

const OptionSpec& known_option(const std::string& name, const std::string& where) {
    const OptionSpec* spec = find_option(name);
    if (spec == nullptr) {
        throw UsageError(where + ": no option is called '" + name +
                         "'; `schemagate --help` lists the options");
    }
    if (spec->name == "config" || spec->name == "config-dir") {
        throw UsageError(where + ": '" + name +
                         "' can only be given as a flag or in the "
                         "environment");
    }
    return *spec;
}

void read_config_file(Settings& out, const std::filesystem::path& path) {
    std::istringstream lines(read_text(path, "--config"));
    std::map<std::string, std::size_t> seen;
    std::string line;
    std::size_t line_no = 0;
    while (std::getline(lines, line)) {
        ++line_no;
        const std::string_view t = util::trim(line);
        if (t.empty() || t.front() == '#') {
            continue;
        }
        const std::string where = path.string() + ":" + std::to_string(line_no);
        const std::size_t eq = t.find('=');
        if (eq == std::string_view::npos) {
            throw UsageError(where + ": expected 'option = value'");
        }
        const std::string name(util::trim(t.substr(0, eq)));
        const OptionSpec& spec = known_option(name, where);
        if (auto it = seen.find(name); it != seen.end() && spec.kind != Kind::list) {
            throw UsageError(where + ": '" + name + "' is set twice (first on line " +
                             std::to_string(it->second) + ")");
        }
        seen.emplace(name, line_no);
        offer(out, spec, values_of(spec, std::string(t.substr(eq + 1))), "config file " + where,
              "config file " + path.string());
    }
}

void read_config_dir(Settings& out, const std::filesystem::path& dir) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
        throw UsageError("--config-dir: " + dir.string() + " is not a directory");
    }
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        const std::string name = entry.path().filename().string();
        // A mounted ConfigMap holds ..data and a timestamped folder next to one link per key.
        if (name.empty() || name.front() == '.' ||
            !std::filesystem::is_regular_file(entry.path(), ec)) {
            continue;
        }
        files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
        const std::string where = "config dir " + file.string();
        const OptionSpec& spec = known_option(file.filename().string(), file.string());
        offer(out, spec, values_of(spec, read_text(file, where)), where, where);
    }
}

bool toggle_value(const Setting& s, const std::string& name) {
    const std::string v = util::to_lower(s.values.empty() ? "" : s.values.front());
    if (v == "true" || v == "1" || v == "yes" || v == "on") {
        return true;
    }
    if (v == "false" || v == "0" || v == "no" || v == "off") {
        return false;
    }
    throw UsageError(name + " (from " + s.source + "): '" + v + "' is not true or false");
}

} // namespace

const std::vector<OptionSpec>& option_specs() {
    static const std::vector<OptionSpec> specs = {
        {"database-url", Kind::text, "$DATABASE_URL, else libpq's PG* variables",
         "PostgreSQL URI or key=value connection string", Secret::yes},
        {"database-password-file", Kind::text, "none",
         "read the database password from this file (a mounted Secret); it overrides a "
         "password in the URL"},
        {"dir", Kind::list, "migrations",
         "migrations directory; repeat (or separate with commas) to combine several"},
        {"history-table", Kind::text, "public.schemagate_history",
         "history table as [schema.]table"},
        {"lock-timeout", Kind::duration, "10m",
         "how long to wait for the migration lock, e.g. 30s, 10m"},
        {"ddl-lock-timeout", Kind::duration, "2s",
         "PostgreSQL lock_timeout for each migration step; a file's '-- lock-timeout:' "
         "overrides it"},
        {"statement-timeout", Kind::duration, "15m",
         "PostgreSQL statement_timeout for each migration step; a file's "
         "'-- statement-timeout:' overrides it"},
        {"lock-retries", Kind::count, "10",
         "retries of a step that hit its lock_timeout or a deadlock, with backoff"},
        {"allow-drift", Kind::toggle, "false",
         "run although applied revisions' files changed (see README)"},
        {"allow-unknown", Kind::toggle, "false",
         "run although applied revisions are missing from the files, as when an older "
         "release runs against a newer database"},
        {"log-level", Kind::text, "info", "trace, debug, info, warn or error"},
        {"log-format", Kind::text, "text",
         "text, or json for one JSON object per line (time, level, msg and fields)"},
        {"listen", Kind::text, "none",
         "serve /healthz, /readyz and /metrics on ADDR:PORT while the command runs"},
        {"linger", Kind::duration, "0s",
         "with --listen, keep serving this long after the command finished, so Prometheus "
         "can scrape the final state"},
        {"interval", Kind::duration, "10s",
         "how often serve and wait re-read the database when no notification comes"},
        {"pushgateway", Kind::text, "none",
         "push the final metrics to this Prometheus Pushgateway, http://HOST:PORT", Secret::yes},
        {"termination-log", Kind::text, "/dev/termination-log",
         "where to write the one-line JSON outcome when the process ends (skipped when its "
         "directory does not exist)"},
        {"config", Kind::text, "none", "read options from this file of 'option = value' lines"},
        {"config-dir", Kind::text, "none",
         "read options from this directory of files named after options (a mounted "
         "ConfigMap)"},
    };
    return specs;
}

const OptionSpec* find_option(const std::string& name) {
    for (const auto& spec : option_specs()) {
        if (spec.name == name) {
            return &spec;
        }
    }
    return nullptr;
}

Environment process_environment() {
    Environment env;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
        const std::string entry(*e);
        const std::size_t eq = entry.find('=');
        if (eq != std::string::npos) {
            env[entry.substr(0, eq)] = entry.substr(eq + 1);
        }
    }
    return env;
}

Settings gather(const Settings& flags, const Environment& env) {
    Settings out = flags;
    for (const auto& [key, value] : env) {
        if (key.rfind(k_env_prefix, 0) != 0) {
            continue;
        }
        std::string name = util::to_lower(key.substr(k_env_prefix.size()));
        std::replace(name.begin(), name.end(), '_', '-');
        const OptionSpec* spec = find_option(name);
        if (spec == nullptr) {
            throw UsageError("environment variable " + key + ": no option is called '" + name +
                             "'; `schemagate --help` lists the options");
        }
        offer(out, *spec, values_of(*spec, value), "env " + key, "env " + key);
    }
    if (auto it = out.find("config"); it != out.end()) {
        read_config_file(out, it->second.values.front());
    }
    if (auto it = out.find("config-dir"); it != out.end()) {
        read_config_dir(out, it->second.values.front());
    }
    if (auto it = env.find("DATABASE_URL"); it != env.end() && !it->second.empty()) {
        offer(out, *find_option("database-url"), {it->second}, "env DATABASE_URL",
              "env DATABASE_URL");
    }
    return out;
}

Config resolve(const Settings& settings) {
    Config c;
    auto get = [&](const char* name) -> const Setting* {
        auto it = settings.find(name);
        return it == settings.end() ? nullptr : &it->second;
    };
    auto fail = [](const char* name, const Setting& s, const std::string& why) {
        return UsageError(std::string(name) + " (from " + s.source + "): " + why);
    };
    auto duration = [&](const char* name, std::chrono::milliseconds& out) {
        if (const Setting* s = get(name)) {
            auto d = util::parse_duration(s->values.front());
            if (!d) {
                throw fail(name, *s, d.error());
            }
            out = *d;
        }
    };

    // Option values end up in log lines, error messages, the termination message and the
    // comments of a --sql script: a control character in one (a newline ends a comment and
    // starts SQL, an escape sequence forges log lines) is refused where it came from. A
    // key=value connection string may be written over several lines, so it is the exception.
    for (const auto& [name, setting] : settings) {
        if (name == "database-url") {
            continue;
        }
        for (const auto& value : setting.values) {
            if (util::has_control(value)) {
                const OptionSpec* spec = find_option(name);
                throw UsageError(
                    name + " (from " + setting.source + "): " +
                    (spec != nullptr && spec->secret == Secret::yes
                         ? std::string("the value")
                         : "'" + util::printable(value) + "'") +
                    " holds a control character (a newline, tab, escape...); remove it");
            }
        }
    }
    if (const Setting* s = get("database-url")) {
        c.database_url = s->values.front();
    }
    util::register_conninfo_secrets(c.database_url);
    if (const Setting* s = get("database-password-file")) {
        std::string password =
            read_text(s->values.front(), "database-password-file (from " + s->source + ")");
        while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) {
            password.pop_back();
        }
        util::register_secret(password);
        c.database_url = store::with_option(c.database_url, "password", password);
    }
    if (const char* pgpassword = std::getenv("PGPASSWORD")) {
        util::register_secret(pgpassword);
    }
    if (const Setting* s = get("dir")) {
        if (s->values.empty()) {
            throw fail("dir", *s, "no directory given");
        }
        c.dirs.assign(s->values.begin(), s->values.end());
    }
    if (const Setting* s = get("history-table")) {
        auto table = store::parse_history_table(s->values.front());
        if (!table) {
            throw fail("history-table", *s, table.error());
        }
        c.history_table = *table;
    }
    duration("lock-timeout", c.lock_timeout);
    duration("ddl-lock-timeout", c.ddl_lock_timeout);
    duration("statement-timeout", c.statement_timeout);
    if (const Setting* s = get("lock-retries")) {
        const std::string& v = s->values.front();
        if (v.empty() || v.size() > 6 ||
            !std::all_of(v.begin(), v.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
            throw fail("lock-retries", *s, "'" + v + "' is not a whole number of retries");
        }
        c.lock_retries = std::stoi(v);
    }
    if (const Setting* s = get("allow-drift")) {
        c.allow_drift = toggle_value(*s, "allow-drift");
    }
    if (const Setting* s = get("allow-unknown")) {
        c.allow_unknown = toggle_value(*s, "allow-unknown");
    }
    if (const Setting* s = get("log-level")) {
        c.log_level = s->values.front();
    }
    if (const Setting* s = get("log-format")) {
        c.log_format = s->values.front();
        if (c.log_format != "text" && c.log_format != "json") {
            throw fail("log-format", *s, "'" + c.log_format + "' is not text or json");
        }
    }
    if (const Setting* s = get("listen")) {
        c.listen = s->values.front();
    }
    duration("linger", c.linger);
    duration("interval", c.interval);
    if (c.interval.count() <= 0) {
        throw UsageError("interval: must be more than 0");
    }
    if (const Setting* s = get("pushgateway")) {
        c.pushgateway = s->values.front();
        util::register_conninfo_secrets(c.pushgateway); // http://user:password@host:port
    }
    if (const Setting* s = get("termination-log")) {
        c.termination_log = s->values.front();
    }
    return c;
}

std::string applied_by() {
    if (const char* pod = std::getenv("POD_NAME"); pod != nullptr && *pod != '\0') {
        return pod;
    }
    if (const char* host = std::getenv("HOSTNAME"); host != nullptr && *host != '\0') {
        return host;
    }
    char name[256] = {};
    if (gethostname(name, sizeof(name) - 1) == 0 && name[0] != '\0') {
        return name;
    }
    return "unknown";
}

} // namespace schemagate::config
