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

// A value quoted for a key=value connection string: 'it\'s'.
std::string quote_conninfo_value(const std::string& value);

} // namespace schemagate::store
