#include <schemagate/util/secrets.hpp>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <vector>

#include <schemagate/util/strings.hpp>

namespace schemagate::util {

namespace {

struct Registry {
    std::mutex mutex;
    std::vector<std::string> secrets;
    std::size_t registrations = 0;
};

Registry& registry() {
    static Registry r;
    return r;
}

bool is_scheme_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '+' || c == '.' || c == '-';
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// "scheme://...": libpq's postgresql:// and postgres://, and the http(s):// of a Pushgateway.
// A key=value connection string never starts like that.
bool is_uri(std::string_view s) {
    const std::size_t sep = s.find("://");
    if (sep == std::string_view::npos || sep == 0) {
        return false;
    }
    return std::all_of(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(sep), is_scheme_char);
}

// A key whose value is a secret: password, sslpassword, and any other key ending in
// "password" (PGPASSWORD=, db_password=), in any case.
bool is_password_key(std::string_view key) {
    return key.size() >= 8 && starts_with_ci(key.substr(key.size() - 8), "password");
}

// A span [begin, end) of the connection string that holds a password, as written, and
// whether it is libpq's own `password` (not sslpassword).
struct Span {
    std::size_t begin;
    std::size_t end;
    bool login_password = true;
};

// The user info of a URI is redacted from the first ':' after "://" to the last '@' before
// the query: libpq itself ends the user info at the first '@' or '/', but a password with a
// raw '@' or '/' in it (base64 has '/') is still the password to hide, whatever libpq makes of
// it (store::check_conninfo refuses such a URI before libpq sees it).
std::vector<Span> uri_password_spans(std::string_view uri) {
    std::vector<Span> spans;
    const std::size_t authority = uri.find("://") + 3;
    const std::size_t at = uri.rfind('@');
    std::size_t query_from = authority;
    if (at != std::string_view::npos && at >= authority) {
        const std::size_t colon = uri.find(':', authority);
        if (colon != std::string_view::npos && colon < at) {
            spans.push_back({colon + 1, at});
        }
        query_from = at + 1;
    }
    const std::size_t query = uri.find('?', query_from);
    if (query != std::string_view::npos) {
        std::size_t pos = query + 1;
        while (pos < uri.size()) {
            const std::size_t amp = std::min(uri.find('&', pos), uri.size());
            const std::string_view param = uri.substr(pos, amp - pos);
            const std::size_t eq = param.find('=');
            if (eq != std::string_view::npos && is_password_key(param.substr(0, eq))) {
                spans.push_back({pos + eq + 1, amp, to_lower(param.substr(0, eq)) == "password"});
            }
            pos = amp + 1;
        }
    }
    return spans;
}

// key = value pairs; values may be single-quoted with backslash escapes (libpq's rules).
std::vector<Span> keyword_password_spans(std::string_view s) {
    std::vector<Span> spans;
    std::size_t i = 0;
    auto skip_space = [&] {
        while (i < s.size() && is_space(s[i])) {
            ++i;
        }
    };
    while (i < s.size()) {
        skip_space();
        const std::size_t key_begin = i;
        while (i < s.size() && s[i] != '=' && !is_space(s[i])) {
            ++i;
        }
        const std::string key = to_lower(s.substr(key_begin, i - key_begin));
        skip_space();
        if (i >= s.size() || s[i] != '=') {
            break;
        }
        ++i;
        skip_space();
        std::size_t value_begin = i;
        std::size_t value_end = i;
        if (i < s.size() && s[i] == '\'') {
            value_begin = ++i;
            while (i < s.size() && s[i] != '\'') {
                i += (s[i] == '\\' && i + 1 < s.size()) ? 2U : 1U;
            }
            value_end = std::min(i, s.size());
            ++i;
        } else {
            while (i < s.size() && !is_space(s[i])) {
                i += (s[i] == '\\' && i + 1 < s.size()) ? 2U : 1U;
            }
            value_end = std::min(i, s.size());
        }
        if (is_password_key(key)) {
            spans.push_back({value_begin, value_end, key == "password"});
        }
    }
    return spans;
}

std::vector<Span> password_spans(std::string_view conninfo) {
    return is_uri(conninfo) ? uri_password_spans(conninfo) : keyword_password_spans(conninfo);
}

// `text` with each span replaced by "***"; overlapping spans are merged first, so that a
// span inside another cannot leave part of it showing.
std::string replace_spans(std::string_view text, std::vector<Span> spans) {
    std::sort(spans.begin(), spans.end(), [](Span a, Span b) { return a.begin < b.begin; });
    std::string out;
    std::size_t pos = 0;
    for (std::size_t i = 0; i < spans.size();) {
        Span merged = spans[i];
        for (++i; i < spans.size() && spans[i].begin <= merged.end; ++i) {
            merged.end = std::max(merged.end, spans[i].end);
        }
        out.append(text.substr(pos, merged.begin - pos));
        out += "***";
        pos = merged.end;
    }
    out.append(text.substr(pos));
    return out;
}

// Where, in free text, a value of a password key starts and ends: `key = value`, the value
// quoted ('' as libpq quotes, or "") or running to the next space, double quote, or (inside a
// URI) '&'. A double quote ends it so that a quoted message ("...password=x") keeps its
// closing quote.
std::vector<Span> text_keyword_spans(std::string_view text) {
    std::vector<Span> spans;
    std::size_t from = 0;
    while (true) {
        std::size_t pos = from;
        while (pos + 8 <= text.size() && !starts_with_ci(text.substr(pos), "password")) {
            ++pos;
        }
        if (pos + 8 > text.size()) {
            return spans;
        }
        std::size_t i = pos + 8;
        from = i;
        while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) {
            ++i;
        }
        if (i >= text.size() || text[i] != '=') {
            continue;
        }
        ++i;
        while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) {
            ++i;
        }
        // Inside a URI when the word holding the key has "://" before it.
        std::size_t word = pos;
        while (word > 0 && !is_space(text[word - 1])) {
            --word;
        }
        const bool in_uri = text.substr(word, pos - word).find("://") != std::string_view::npos;
        std::size_t begin = i;
        std::size_t end = i;
        if (i < text.size() && (text[i] == '\'' || text[i] == '"')) {
            const char quote = text[i];
            begin = ++i;
            while (i < text.size() && text[i] != quote) {
                i += (text[i] == '\\' && i + 1 < text.size()) ? 2U : 1U;
            }
            end = std::min(i, text.size());
        } else {
            while (i < text.size() && !is_space(text[i]) && text[i] != '"' &&
                   !(in_uri && (text[i] == '&' || text[i] == '#'))) {
                i += (text[i] == '\\' && i + 1 < text.size() && !is_space(text[i + 1])) ? 2U : 1U;
            }
            end = std::min(i, text.size());
        }
        if (end > begin) {
            spans.push_back({begin, end});
        }
        from = std::max(from, end);
    }
}

// The user info of each URI in free text: from the first ':' after "scheme://" to the last
// '@' of the same word (a URI in a message ends at a space; a raw '@' or '/' in the password
// stays inside).
std::vector<Span> text_uri_spans(std::string_view text) {
    std::vector<Span> spans;
    std::size_t sep = 0;
    while ((sep = text.find("://", sep)) != std::string_view::npos) {
        const std::size_t authority = sep + 3;
        sep = authority;
        if (authority - 3 == 0 || !is_scheme_char(text[authority - 4])) {
            continue;
        }
        std::size_t end = authority;
        while (end < text.size() && !is_space(text[end])) {
            ++end;
        }
        const std::string_view word = text.substr(authority, end - authority);
        const std::size_t at = word.rfind('@');
        const std::size_t colon = word.find(':');
        if (at != std::string_view::npos && colon != std::string_view::npos && colon < at) {
            spans.push_back({authority + colon + 1, authority + at});
        }
    }
    return spans;
}

} // namespace

void register_secret(std::string secret) {
    auto& r = registry();
    const std::lock_guard lock(r.mutex);
    ++r.registrations;
    if (secret.size() < k_min_scrubbed_secret) {
        return;
    }
    if (std::find(r.secrets.begin(), r.secrets.end(), secret) == r.secrets.end()) {
        r.secrets.push_back(std::move(secret));
        // Longest first, so a secret that contains another is replaced whole.
        std::sort(r.secrets.begin(), r.secrets.end(),
                  [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
    }
}

std::size_t secret_registrations() {
    auto& r = registry();
    const std::lock_guard lock(r.mutex);
    return r.registrations;
}

std::string redact_secrets(std::string_view text) {
    if (text.find("://") == std::string_view::npos && text.size() >= 8) {
        // The common case, a message with no URI and no "password": nothing to copy.
        bool any = false;
        for (std::size_t i = 0; i + 8 <= text.size() && !any; ++i) {
            any = starts_with_ci(text.substr(i), "password");
        }
        if (!any) {
            return std::string(text);
        }
    }
    auto spans = text_uri_spans(text);
    const auto keyword = text_keyword_spans(text);
    spans.insert(spans.end(), keyword.begin(), keyword.end());
    return replace_spans(text, std::move(spans));
}

std::string scrub(std::string_view text) {
    std::string out = redact_secrets(text);
    auto& r = registry();
    const std::lock_guard lock(r.mutex);
    for (const auto& secret : r.secrets) {
        std::size_t pos = 0;
        while ((pos = out.find(secret, pos)) != std::string::npos) {
            out.replace(pos, secret.size(), "***");
            pos += 3;
        }
    }
    return out;
}

std::string redact_conninfo(std::string_view conninfo) {
    return replace_spans(conninfo, password_spans(conninfo));
}

namespace {

// A password as libpq reads it: percent-decoded in a URI, backslash escapes undone in a
// key=value string.
std::string decoded(std::string_view conninfo, Span span) {
    const std::string_view raw = conninfo.substr(span.begin, span.end - span.begin);
    if (is_uri(conninfo)) {
        return percent_decode(raw);
    }
    std::string out;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '\\' && i + 1 < raw.size()) {
            ++i;
        }
        out += raw[i];
    }
    return out;
}

} // namespace

std::string conninfo_password(std::string_view conninfo) {
    const auto spans = password_spans(conninfo);
    const auto login =
        std::find_if(spans.begin(), spans.end(), [](Span s) { return s.login_password; });
    return login == spans.end() ? std::string() : decoded(conninfo, *login);
}

void register_conninfo_secrets(std::string_view conninfo) {
    for (const Span& span : password_spans(conninfo)) {
        register_secret(std::string(conninfo.substr(span.begin, span.end - span.begin)));
        register_secret(decoded(conninfo, span));
    }
}

} // namespace schemagate::util
