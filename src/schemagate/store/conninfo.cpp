#include <schemagate/store/conninfo.hpp>

#include <memory>

#include <libpq-fe.h>

#include <schemagate/util/error.hpp>
#include <schemagate/util/secrets.hpp>
#include <schemagate/util/strings.hpp>

namespace schemagate::store {

namespace {

// A value quoted for a key=value connection string: 'it\'s'.
std::string quote_conninfo_value(std::string_view value) {
    std::string out = "'";
    for (char c : value) {
        if (c == '\'' || c == '\\') {
            out += '\\';
        }
        out += c;
    }
    return out + "'";
}

// Whether libpq would split a URI elsewhere than its writer meant: libpq ends the user info
// at the first '@' or '/', so a raw '/' in a password (base64 has them) makes the rest of it
// a host, port or database name, and a raw '@' makes it a host name, which libpq then prints
// ("could not translate host name ..."). An '@' after that first delimiter, before the query,
// is such a misreading (or an '@' in a database name, which must be percent-encoded too).
bool misread_delimiters(std::string_view conninfo) {
    if (!util::starts_with_ci(conninfo, "postgresql://") &&
        !util::starts_with_ci(conninfo, "postgres://")) {
        return false;
    }
    const std::string_view rest = conninfo.substr(conninfo.find("://") + 3);
    const std::size_t first = rest.find_first_of("@/");
    if (first == std::string_view::npos) {
        return false;
    }
    const std::size_t query = rest.find('?', first);
    return rest.substr(first + 1, query == std::string_view::npos ? query : query - first - 1)
               .find('@') != std::string_view::npos;
}

// libpq's reason for refusing a connection string, with every piece it quotes that does not
// appear in the redacted connection string (so holds some of the password, such as a bad
// percent-escape inside it), or that names a password ("password:x", a query parameter that
// lacks its '='), replaced by "***". Single characters (the "=" or "]" it expected) stay.
std::string parse_error_text(std::string_view reason, const std::string& conninfo) {
    const std::string redacted = util::redact_conninfo(conninfo);
    std::string out;
    std::size_t pos = 0;
    while (pos < reason.size()) {
        const std::size_t open = reason.find('"', pos);
        const std::size_t close =
            open == std::string_view::npos ? open : reason.find('"', open + 1);
        if (close == std::string_view::npos) {
            out.append(reason.substr(pos));
            break;
        }
        const std::string_view piece = reason.substr(open + 1, close - open - 1);
        out.append(reason.substr(pos, open + 1 - pos));
        const bool names_password =
            piece.size() > 8 && util::to_lower(piece).find("password") != std::string::npos;
        if (piece == conninfo) {
            out += redacted;
        } else if (piece.size() <= 1 ||
                   (!names_password && redacted.find(piece) != std::string::npos)) {
            out.append(piece);
        } else {
            out += "***";
        }
        out += '"';
        pos = close + 1;
    }
    return util::scrub(out);
}

using Options = std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)>;

// The options `text` sets, as libpq parses them; `text` was accepted by parse() already, so
// only a lack of memory makes this fail.
Options parsed_options(const std::string& text) {
    Options options(PQconninfoParse(text.c_str(), nullptr), &PQconninfoFree);
    if (!options) {
        throw UsageError("invalid database connection string: libpq ran out of memory");
    }
    return options;
}

} // namespace

Conninfo Conninfo::parse(std::string text) {
    util::register_conninfo_secrets(text);
    if (misread_delimiters(text)) {
        throw UsageError("invalid database connection string: a raw '@' or '/' in the user name, "
                         "password or database name of the URI makes libpq read part of it as "
                         "the host or database; percent-encode them (%40 for '@', %2F for '/')");
    }
    char* parse_error = nullptr;
    if (PQconninfoOption* options = PQconninfoParse(text.c_str(), &parse_error)) {
        PQconninfoFree(options);
        return Conninfo(std::move(text));
    }
    const std::string reason(parse_error ? util::trim(parse_error) : "out of memory");
    PQfreemem(parse_error);
    throw UsageError("invalid database connection string: " + parse_error_text(reason, text) +
                     "; see libpq's connection string format");
}

std::string Conninfo::redacted() const {
    return util::redact_conninfo(m_text);
}

bool Conninfo::has(std::string_view keyword) const {
    const Options options = parsed_options(m_text);
    for (const PQconninfoOption* o = options.get(); o->keyword != nullptr; ++o) {
        if (o->keyword == keyword) {
            return o->val != nullptr;
        }
    }
    return false;
}

Conninfo Conninfo::with(std::string_view keyword, std::string_view value) const {
    // PQconninfoParse reports only the options the string sets (no defaults, no environment),
    // so what libpq would otherwise take from PG* variables still comes from there.
    const Options options = parsed_options(m_text);
    std::string out;
    bool known = false;
    for (const PQconninfoOption* o = options.get(); o->keyword != nullptr; ++o) {
        if (o->keyword == keyword) {
            known = true;
            continue;
        }
        if (o->val != nullptr) {
            out += std::string(o->keyword) + "=" + quote_conninfo_value(o->val) + " ";
        }
    }
    if (!known) {
        throw UsageError("'" + std::string(keyword) + "' is not a libpq connection option");
    }
    // Only the new pair can hold a secret not registered yet (a password read from a file).
    const std::string pair = std::string(keyword) + "=" + quote_conninfo_value(value);
    util::register_conninfo_secrets(pair);
    return Conninfo(out + pair);
}

} // namespace schemagate::store
