#pragma once

#include <string>

namespace schemagate::store {

// `conninfo` (a URI, key=value pairs, or "" for libpq's PG* variables) pointing at database
// `dbname` instead, as a key=value string with every other option kept. Parsed by libpq itself
// (PQconninfoParse), never spliced. Throws UsageError, without the password, when libpq cannot
// parse it.
std::string with_dbname(const std::string& conninfo, const std::string& dbname);

// The same for any libpq keyword: `conninfo` with `keyword` set to `value`, replacing any value
// it had (used to add a password read from a file).
std::string with_option(const std::string& conninfo, const std::string& keyword,
                        const std::string& value);

// Registers the connection string's passwords as secrets, then checks that libpq reads it as
// written: PQconninfoParse accepts it, and a URI has no raw '@' or '/' in its user info or
// database name (libpq would split it elsewhere, and print part of the password as a host
// name). Throws UsageError, which never shows the password.
void check_conninfo(const std::string& conninfo);

// A value quoted for a key=value connection string: 'it\'s'.
std::string quote_conninfo_value(const std::string& value);

} // namespace schemagate::store
