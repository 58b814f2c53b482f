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
};

Registry& registry() {
    static Registry r;
    return r;
}

// "scheme://...": libpq's postgresql:// and postgres://, and the http(s):// of a Pushgateway.
// A key=value connection string never starts like that.
bool is_uri(std::string_view s) {
    const std::size_t sep = s.find("://");
    if (sep == std::string_view::npos || sep == 0) {
        return false;
    }
    return std::all_of(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(sep), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '+' || c == '.' || c == '-';
    });
}

// A span [begin, end) of the connection string that holds a password, as written.
struct Span {
    std::size_t begin;
    std::size_t end;
};

std::vector<Span> uri_password_spans(std::string_view uri) {
    std::vector<Span> spans;
    // As libpq reads a URI, the user info ends at the last '@' before the first '/', so a
    // password may hold '?' or ':'; the query string starts after the host part.
    const std::size_t authority = uri.find("://") + 3;
    const std::size_t authority_end = std::min(uri.find('/', authority), uri.size());
    std::size_t at = uri.rfind('@', authority_end);
    if (at != std::string_view::npos && at >= authority) {
        const std::size_t colon = uri.find(':', authority);
        if (colon != std::string_view::npos && colon < at) {
            spans.push_back({colon + 1, at});
        }
    } else {
        at = std::string_view::npos;
    }
    const std::size_t query = uri.find('?', at == std::string_view::npos ? authority : at + 1);
    if (query != std::string_view::npos) {
        std::size_t pos = query + 1;
        while (pos < uri.size()) {
            const std::size_t amp = std::min(uri.find('&', pos), uri.size());
            const std::string_view param = uri.substr(pos, amp - pos);
            if (starts_with_ci(param, "password=")) {
                spans.push_back({pos + 9, amp});
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
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) {
            ++i;
        }
    };
    while (i < s.size()) {
        skip_space();
        const std::size_t key_begin = i;
        while (i < s.size() && s[i] != '=' && s[i] != ' ' && s[i] != '\t') {
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
            while (i < s.size() && s[i] != ' ' && s[i] != '\t' && s[i] != '\n') {
                i += (s[i] == '\\' && i + 1 < s.size()) ? 2U : 1U;
            }
            value_end = std::min(i, s.size());
        }
        if (key == "password") {
            spans.push_back({value_begin, value_end});
        }
    }
    return spans;
}

std::vector<Span> password_spans(std::string_view conninfo) {
    return is_uri(conninfo) ? uri_password_spans(conninfo) : keyword_password_spans(conninfo);
}

} // namespace

void register_secret(std::string secret) {
    if (secret.empty()) {
        return;
    }
    auto& r = registry();
    const std::lock_guard lock(r.mutex);
    if (std::find(r.secrets.begin(), r.secrets.end(), secret) == r.secrets.end()) {
        r.secrets.push_back(std::move(secret));
        // Longest first, so a secret that contains another is replaced whole.
        std::sort(r.secrets.begin(), r.secrets.end(),
                  [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
    }
}

std::string scrub(std::string_view text) {
    std::string out(text);
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
    std::string out(conninfo);
    auto spans = password_spans(conninfo);
    // Replace from the back so earlier offsets stay valid.
    std::sort(spans.begin(), spans.end(), [](Span a, Span b) { return a.begin > b.begin; });
    for (const Span& span : spans) {
        out.replace(span.begin, span.end - span.begin, "***");
    }
    return out;
}

std::string conninfo_password(std::string_view conninfo) {
    const auto spans = password_spans(conninfo);
    if (spans.empty()) {
        return {};
    }
    const std::string_view raw =
        conninfo.substr(spans.front().begin, spans.front().end - spans.front().begin);
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

void register_conninfo_secrets(std::string_view conninfo) {
    for (const Span& span : password_spans(conninfo)) {
        register_secret(std::string(conninfo.substr(span.begin, span.end - span.begin)));
    }
    register_secret(conninfo_password(conninfo));
}

} // namespace schemagate::util
