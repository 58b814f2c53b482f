#include <schemagate/store/conninfo.hpp>

#include <memory>

#include <libpq-fe.h>

#include <schemagate/util/error.hpp>
#include <schemagate/util/secrets.hpp>
#include <schemagate/util/strings.hpp>

namespace schemagate::store {

std::string quote_conninfo_value(const std::string& value) {
    std::string out = "'";
    for (char c : value) {
        if (c == '\'' || c == '\\') {
            out += '\\';
        }
        out += c;
    }
    return out + "'";
}

std::string with_dbname(const std::string& conninfo, const std::string& dbname) {
    return with_option(conninfo, "dbname", dbname);
}

std::string with_option(const std::string& conninfo, const std::string& keyword,
                        const std::string& value) {
    util::register_conninfo_secrets(conninfo);
    char* parse_error = nullptr;
    // PQconninfoParse reports only the options the string sets (no defaults, no environment),
    // so what libpq would otherwise take from PG* variables still comes from there.
    const std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(
        PQconninfoParse(conninfo.c_str(), &parse_error), &PQconninfoFree);
    if (!options) {
        const std::string reason(parse_error ? util::trim(parse_error) : "out of memory");
        PQfreemem(parse_error);
        throw UsageError("invalid database connection string: " + util::scrub(reason) +
                         "; see libpq's connection string format");
    }
    std::string out;
    for (const PQconninfoOption* o = options.get(); o->keyword != nullptr; ++o) {
        if (o->val == nullptr || o->keyword == keyword) {
            continue;
        }
        out += std::string(o->keyword) + "=" + quote_conninfo_value(o->val) + " ";
    }
    return out + keyword + "=" + quote_conninfo_value(value);
}

} // namespace schemagate::store
