#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace schemagate::store {

// A libpq connection string (a URI, key=value pairs, or "" for libpq's PG* variables) that
// libpq has parsed once and whose passwords the scrubber knows. Made only by parse(), edited
// only through libpq's parser (with), so it is never spliced as text.
class Conninfo {
public:
    // The empty connection string: every option from libpq's PG* variables and defaults.
    Conninfo() = default;

    // Registers the passwords of `text` as secrets, then checks that libpq reads it as written:
    // PQconninfoParse accepts it, and a URI has no raw '@' or '/' in its user info or database
    // name (libpq would split it elsewhere, and print part of the password as a host name).
    // Throws UsageError, which never shows the password.
    static Conninfo parse(std::string text);

    // The connection string as given or as edited, for libpq (holds the password).
    const std::string& text() const { return m_text; }
    // The connection string with every password replaced by "***", for display.
    std::string redacted() const;
    // Whether the string itself sets libpq option `keyword` (PG* variables not consulted).
    bool has(std::string_view keyword) const;

    // This connection string with `keyword` set to `value` and every other option kept, as
    // key=value pairs rebuilt from libpq's parse. A password value is registered as a secret.
    // Throws UsageError when `keyword` is not a libpq option.
    Conninfo with(std::string_view keyword, std::string_view value) const;
    // The same connection string pointing at database `name` instead.
    Conninfo with_dbname(std::string_view name) const { return with("dbname", name); }

private:
    explicit Conninfo(std::string text) : m_text(std::move(text)) {}
    std::string m_text;
};

} // namespace schemagate::store
