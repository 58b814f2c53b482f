#include <schemagate/util/duration.hpp>

#include <cctype>
#include <limits>

#include <schemagate/util/strings.hpp>

namespace schemagate::util {

namespace {

constexpr long long k_max_ms = 366LL * 24 * 3'600'000;

} // namespace

tl::expected<Millis, std::string> parse_duration(std::string_view text) {
    const std::string_view s = trim(text);
    if (s.empty()) {
        return tl::unexpected(std::string("empty duration"));
    }
    auto bad = [&] {
        return tl::unexpected("invalid duration '" + std::string(s) +
                              "': use a number with a unit, such as 500ms, 30s, 5m or 1h");
    };
    long long total = 0;
    std::size_t i = 0;
    bool bare = true;
    while (i < s.size()) {
        if (std::isdigit(static_cast<unsigned char>(s[i])) == 0) {
            return bad();
        }
        long long value = 0;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) != 0) {
            if (value > std::numeric_limits<int>::max()) {
                return bad();
            }
            value = value * 10 + (s[i] - '0');
            ++i;
        }
        std::size_t unit_begin = i;
        while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i])) != 0) {
            ++i;
        }
        const std::string unit = to_lower(s.substr(unit_begin, i - unit_begin));
        long long scale = 0;
        if (unit.empty()) {
            if (i != s.size() || !bare) {
                return bad();
            }
            scale = 1000;
        } else if (unit == "ms") {
            scale = 1;
        } else if (unit == "s") {
            scale = 1000;
        } else if (unit == "m" || unit == "min") {
            scale = 60'000;
        } else if (unit == "h") {
            scale = 3'600'000;
        } else {
            return bad();
        }
        bare = false;
        // Each term is below 2^31 and each scale below 2^22, so the product cannot overflow;
        // the sum is capped before it could.
        if (value * scale > k_max_ms - total) {
            return tl::unexpected("duration '" + std::string(s) + "' is longer than a year");
        }
        total += value * scale;
    }
    return Millis(total);
}

std::string format_duration(Millis d) {
    long long ms = d.count();
    if (ms < 1000) {
        return std::to_string(ms) + "ms";
    }
    std::string out;
    const long long h = ms / 3'600'000;
    const long long m = (ms / 60'000) % 60;
    const long long s = (ms / 1000) % 60;
    const long long rest = ms % 1000;
    if (h > 0) {
        out += std::to_string(h) + "h";
    }
    if (m > 0) {
        out += std::to_string(m) + "m";
    }
    const bool tenths = rest >= 100 && h == 0 && m == 0;
    if (s > 0 || tenths) {
        out += std::to_string(s);
        if (tenths) {
            out += "." + std::to_string(rest / 100);
        }
        out += "s";
    }
    return out;
}

} // namespace schemagate::util
