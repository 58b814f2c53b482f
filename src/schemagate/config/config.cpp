#include <schemagate/config/config.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <schemagate/http/http_client.hpp>
#include <schemagate/store/conninfo.hpp>
#include <schemagate/util/duration.hpp>
#include <schemagate/util/error.hpp>
#include <schemagate/util/secrets.hpp>
#include <schemagate/util/strings.hpp>

extern char** environ;

namespace schemagate::config {

namespace {

constexpr std::string_view k_env_prefix = "SCHEMAGATE_";
constexpr int k_max_lock_retries = 1000;
// wait and serve re-read the database on this interval when no NOTIFY came (and retry an
// unreachable one on it): below a second, many waiters would load the database they wait for.
constexpr std::chrono::milliseconds k_min_interval{std::chrono::seconds(1)};
// What spdlog's level names accept; the help lists the five that matter.
constexpr std::array<std::string_view, 9> k_log_levels = {
    "trace", "debug", "info", "warn", "warning", "error", "err", "critical", "off"};

// ADDRESS:PORT as HttpServer takes it: anything (or nothing) before the last ':', then a port
// of 0 to 65535.
bool valid_listen(std::string_view listen) {
    const std::size_t colon = listen.rfind(':');
    if (colon == std::string_view::npos) {
        return false;
    }
    const std::string_view port = listen.substr(colon + 1);
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != port.npos) {
        return false;
    }
    return std::stoi(std::string(port)) <= 65535;
}

// Why the last system call failed, in words ("No such file or directory").
std::string os_reason(int error) {
    return std::generic_category().message(error);
}

// The whole of the file a setting names; `what` is that setting and its source, as in
// "config (from env SCHEMAGATE_CONFIG)". Throws UsageError when the file is missing,
// unreadable or a directory, with the reason.
std::string read_text(const std::filesystem::path& path, const std::string& what) {
    auto refuse = [&](const std::string& why) {
        return UsageError(what + ": cannot read " + path.string() + " (" + why +
                          "); check that it is mounted and readable");
    };
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        throw refuse(os_reason(errno));
    }
    std::string text;
    struct stat st {};
    int error = ::fstat(fd, &st) == 0 ? 0 : errno;
    if (error == 0 && S_ISDIR(st.st_mode)) {
        ::close(fd);
        throw UsageError(what + ": " + path.string() + " is a directory; name the file itself");
    }
    char buffer[8192];
    while (error == 0) {
        const ssize_t n = ::read(fd, buffer, sizeof(buffer));
        if (n > 0) {
            text.append(buffer, static_cast<std::size_t>(n));
        } else if (n == 0) {
            break;
        } else if (errno != EINTR) {
            error = errno;
        }
    }
    ::close(fd);
    if (error != 0) {
        throw refuse(os_reason(error));
    }
    return text;
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

// The option a setting is, with its source: "config (from env SCHEMAGATE_CONFIG)".
std::string named(const std::string& name, const Setting& s) {
    return name + " (from " + s.source + ")";
}

void read_config_file(Settings& out, const Setting& setting) {
    const std::filesystem::path path = setting.values.front();
    std::istringstream lines(read_text(path, named("config", setting)));
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

// Every entry whose name does not start with '.' must be a readable file named after an
// option: a directory, a broken link or an unreadable entry there is a mistake in the mount,
// not something to skip silently.
void read_config_dir(Settings& out, const Setting& setting) {
    namespace fs = std::filesystem;
    const fs::path dir = setting.values.front();
    const std::string what = named("config-dir", setting);
    std::error_code ec;
    const fs::file_status status = fs::status(dir, ec);
    if (ec || !fs::is_directory(status)) {
        throw UsageError(what + ": " + dir.string() +
                         (ec ? " cannot be read (" + ec.message() + ")" : " is not a directory") +
                         "; check that it is mounted and readable");
    }
    std::vector<fs::path> files;
    fs::directory_iterator it(dir, ec);
    for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
        const fs::path& path = it->path();
        const std::string name = path.filename().string();
        // A mounted ConfigMap holds ..data and a timestamped folder next to one link per key.
        if (name.empty() || name.front() == '.') {
            continue;
        }
        std::error_code entry_ec;
        const fs::file_type type = it->status(entry_ec).type(); // follows links
        if (entry_ec) {
            throw UsageError("config dir " + path.string() + ": cannot read it (" +
                             entry_ec.message() +
                             "); a broken link? check the mount, or remove the entry");
        }
        if (type != fs::file_type::regular) {
            throw UsageError("config dir " + path.string() +
                             ": not a file; a config dir holds one file per option, named "
                             "after it (names starting with '.' are skipped)");
        }
        files.push_back(path);
    }
    if (ec) {
        throw UsageError(what + ": cannot list " + dir.string() + " (" + ec.message() +
                         "); check that it is mounted and readable");
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
         "retries (0 to 1000) of a step that hit its lock_timeout or a deadlock, with backoff"},
        {"run-id", Kind::text, "none",
         "names one request, shared by its copies and retries (a Job's controller-uid): a "
         "relative target (+N, -N) is resolved once per run id, and recorded"},
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
         "how often serve and wait re-read the database when no notification comes (at least "
         "1s)"},
        {"pushgateway", Kind::text, "none",
         "push the final metrics to this Prometheus Pushgateway, http://HOST:PORT", Secret::yes},
        {"termination-log", Kind::text, "/dev/termination-log",
         "where to write the one-line JSON outcome when the process ends (the default only "
         "when the file exists, as in a pod; a path given is created)"},
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
    // A list flag splits on commas as the other sources do: `--dir a,b` is two directories.
    for (auto& [name, setting] : out) {
        const OptionSpec* spec = find_option(name);
        if (spec == nullptr || spec->kind != Kind::list) {
            continue;
        }
        std::vector<std::string> split;
        for (const auto& value : setting.values) {
            auto pieces = values_of(*spec, value);
            split.insert(split.end(), pieces.begin(), pieces.end());
        }
        setting.values = std::move(split);
    }
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
    // Copies: reading a source adds to `out`.
    if (auto it = out.find("config"); it != out.end()) {
        read_config_file(out, Setting(it->second));
    }
    if (auto it = out.find("config-dir"); it != out.end()) {
        read_config_dir(out, Setting(it->second));
    }
    if (auto it = env.find("DATABASE_URL"); it != env.end() && !it->second.empty()) {
        offer(out, *find_option("database-url"), {it->second}, "env DATABASE_URL",
              "env DATABASE_URL");
    }
    return out;
}

const store::Conninfo& Config::database() const {
    if (!database_url) {
        throw UsageError(database_url.error());
    }
    return *database_url;
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
        try {
            c.database_url = store::Conninfo::parse(s->values.front());
        } catch (const UsageError& e) {
            c.database_url = tl::make_unexpected(std::string(e.what()));
        }
    }
    if (const Setting* s = get("database-password-file")) {
        std::string password =
            read_text(s->values.front(), "database-password-file (from " + s->source + ")");
        while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) {
            password.pop_back();
        }
        if (c.database_url) {
            c.database_url = c.database_url->with("password", password);
        } else {
            util::register_secret(password);
        }
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
        if (v.empty() ||
            !std::all_of(v.begin(), v.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
            throw fail("lock-retries", *s,
                       "'" + v + "' is not a whole number of retries; use 0 to " +
                           std::to_string(k_max_lock_retries));
        }
        long long n = 0;
        for (const char ch : v) {
            n = std::min<long long>(n * 10 + (ch - '0'), k_max_lock_retries + 1LL);
        }
        if (n > k_max_lock_retries) {
            throw fail("lock-retries", *s,
                       "'" + v + "' is too many; use at most " +
                           std::to_string(k_max_lock_retries));
        }
        c.lock_retries = static_cast<int>(n);
    }
    if (const Setting* s = get("run-id")) {
        c.run_id = s->values.front();
        const bool printable = std::all_of(c.run_id.begin(), c.run_id.end(), [](char ch) {
            return static_cast<unsigned char>(ch) >= 0x20 && ch != 0x7f;
        });
        if (c.run_id.empty() || c.run_id.size() > 128 || !printable) {
            throw fail("run-id", *s,
                       "a run id is 1 to 128 printable characters, e.g. the Job's controller-uid");
        }
    }
    if (const Setting* s = get("allow-drift")) {
        c.allow_drift = toggle_value(*s, "allow-drift");
    }
    if (const Setting* s = get("allow-unknown")) {
        c.allow_unknown = toggle_value(*s, "allow-unknown");
    }
    if (const Setting* s = get("log-level")) {
        c.log_level = s->values.front();
        if (std::find(k_log_levels.begin(), k_log_levels.end(), c.log_level) ==
            k_log_levels.end()) {
            throw fail("log-level", *s,
                       "'" + c.log_level +
                           "' is not a log level; use trace, debug, info, warn or error");
        }
    }
    if (const Setting* s = get("log-format")) {
        c.log_format = s->values.front();
        if (c.log_format != "text" && c.log_format != "json") {
            throw fail("log-format", *s, "'" + c.log_format + "' is not text or json");
        }
    }
    if (const Setting* s = get("listen")) {
        c.listen = s->values.front();
        if (!c.listen.empty() && !valid_listen(c.listen)) {
            throw fail("listen", *s,
                       "'" + c.listen +
                           "' is not ADDRESS:PORT with a port from 0 to 65535, e.g. 0.0.0.0:9090 "
                           "(port 0 picks a free one)");
        }
    }
    duration("linger", c.linger);
    duration("interval", c.interval);
    if (const Setting* s = get("interval"); s != nullptr && c.interval < k_min_interval) {
        throw fail("interval", *s,
                   util::format_duration(c.interval) + " is below the floor of " +
                       util::format_duration(k_min_interval) +
                       ": wait and serve learn of each change through NOTIFY at once and "
                       "re-read on the interval only as a fallback; use 1s or more");
    }
    if (const Setting* s = get("pushgateway")) {
        c.pushgateway = s->values.front();
        util::register_conninfo_secrets(c.pushgateway); // http://user:password@host:port
        if (!c.pushgateway.empty() && !http::parse_endpoint(c.pushgateway)) {
            throw fail("pushgateway", *s,
                       "'" + http::redact_url(c.pushgateway) +
                           "' is not http://HOST:PORT (or https://) with a port from 1 to "
                           "65535");
        }
    }
    if (const Setting* s = get("termination-log")) {
        c.termination_log = s->values.front();
        c.termination_log_given = true;
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
