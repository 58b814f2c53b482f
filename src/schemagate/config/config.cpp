#include <schemagate/config/config.hpp>

#include <cstdlib>

#include <unistd.h>

#include <schemagate/util/duration.hpp>
#include <schemagate/util/error.hpp>
#include <schemagate/util/secrets.hpp>

namespace schemagate::config {

namespace {

std::optional<std::string> env(const char* name) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') {
        return std::nullopt;
    }
    return std::string(value);
}

}  // namespace

Config resolve(const Flags& flags) {
    Config c;
    if (flags.database_url) {
        c.database_url = *flags.database_url;
    } else if (auto url = env("DATABASE_URL")) {
        c.database_url = *url;
    }
    util::register_conninfo_secrets(c.database_url);
    if (auto pw = env("PGPASSWORD")) {
        util::register_secret(*pw);
    }
    if (!flags.dirs.empty()) {
        c.dirs.assign(flags.dirs.begin(), flags.dirs.end());
    }
    if (flags.history_table) {
        auto table = store::parse_history_table(*flags.history_table);
        if (!table) {
            throw UsageError(table.error());
        }
        c.history_table = *table;
    }
    auto duration = [](const std::optional<std::string>& value, const char* flag,
                       std::chrono::milliseconds& out) {
        if (!value) {
            return;
        }
        auto d = util::parse_duration(*value);
        if (!d) {
            throw UsageError(std::string(flag) + ": " + d.error());
        }
        out = *d;
    };
    duration(flags.lock_timeout, "--lock-timeout", c.lock_timeout);
    duration(flags.ddl_lock_timeout, "--ddl-lock-timeout", c.ddl_lock_timeout);
    duration(flags.statement_timeout, "--statement-timeout", c.statement_timeout);
    if (flags.lock_retries) {
        try {
            std::size_t used = 0;
            c.lock_retries = std::stoi(*flags.lock_retries, &used);
            if (used != flags.lock_retries->size() || c.lock_retries < 0) {
                throw std::invalid_argument("negative or trailing text");
            }
        } catch (const std::exception&) {
            throw UsageError("--lock-retries: '" + *flags.lock_retries +
                             "' is not a whole number of retries (0 or more)");
        }
    }
    c.allow_drift = flags.allow_drift;
    c.allow_unknown = flags.allow_unknown;
    if (flags.log_level) {
        c.log_level = *flags.log_level;
    }
    return c;
}

std::string applied_by() {
    if (auto pod = env("POD_NAME")) {
        return *pod;
    }
    if (auto host = env("HOSTNAME")) {
        return *host;
    }
    char name[256] = {};
    if (gethostname(name, sizeof(name) - 1) == 0 && name[0] != '\0') {
        return name;
    }
    return "unknown";
}

}  // namespace schemagate::config
