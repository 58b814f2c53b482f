#include <schemagate/util/log.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <mutex>
#include <vector>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <schemagate/util/secrets.hpp>
#include <schemagate/util/strings.hpp>

namespace schemagate::util {

namespace {

struct Field {
    std::string key;
    std::string value;
    LogField::Type type;
};

thread_local std::vector<Field> t_fields;

std::string iso_time(spdlog::log_clock::time_point t) {
    const auto secs = std::chrono::time_point_cast<std::chrono::seconds>(t);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t - secs).count();
    const std::time_t tt = spdlog::log_clock::to_time_t(secs);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[96];
    std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(ms));
    return buf;
}

// Formats each record and writes it to stderr, one line per record whatever the message
// holds. Secrets are scrubbed out of the message and the fields before they are encoded
// (scrubbing the encoded line could cut a JSON escape in two); in text, control characters
// are escaped (util::printable) so that no message can forge a log line of its own or send a
// terminal escape sequence.
class ScrubbingStderrSink final : public spdlog::sinks::base_sink<std::mutex> {
public:
    explicit ScrubbingStderrSink(bool json) : m_json(json) {}

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        const std::string payload = scrub(std::string_view(msg.payload.data(), msg.payload.size()));
        std::string line;
        if (m_json) {
            const auto level = spdlog::level::to_string_view(msg.level);
            line = "{\"time\":\"" + iso_time(msg.time) + "\",\"level\":\"" +
                   std::string(level.data(), level.size()) + "\",\"msg\":\"" +
                   json_escape(payload) + "\"";
            for (const auto& f : t_fields) {
                line +=
                    ",\"" + json_escape(f.key) + "\":" +
                    (f.type == LogField::Type::number ? f.value
                                                      : "\"" + json_escape(scrub(f.value)) + "\"");
            }
            line += "}\n";
        } else {
            spdlog::details::log_msg safe(msg);
            const std::string shown = printable(payload);
            safe.payload = spdlog::string_view_t(shown.data(), shown.size());
            spdlog::memory_buf_t formatted;
            formatter_->format(safe, formatted);
            line.assign(formatted.data(), formatted.size());
        }
        std::fwrite(line.data(), 1, line.size(), stderr);
    }
    void flush_() override { std::fflush(stderr); }

private:
    bool m_json;
};

} // namespace

LogField::LogField(std::string key, std::string value, Type type) {
    t_fields.push_back({std::move(key), std::move(value), type});
}

LogField::~LogField() {
    t_fields.pop_back();
}

std::string json_escape(std::string_view s) {
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        const char c = s[i];
        const std::size_t len = utf8_char_length(s, i);
        if (len == 0) {
            out += "\\ufffd"; // not UTF-8: JSON text must be, so the byte becomes U+FFFD
            ++i;
            continue;
        }
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
                out += "\\u00";
                out += k_hex[static_cast<unsigned char>(c) >> 4];
                out += k_hex[static_cast<unsigned char>(c) & 0xf];
            } else {
                out.append(s.substr(i, len));
            }
        }
        i += len;
    }
    return out;
}

tl::expected<void, std::string> setup_logging(std::string_view level, std::string_view format) {
    const auto parsed = spdlog::level::from_str(std::string(level));
    if (parsed == spdlog::level::off && level != "off") {
        return tl::unexpected("invalid log level '" + std::string(level) +
                              "': use trace, debug, info, warn or error");
    }
    if (format != "text" && format != "json") {
        return tl::unexpected("invalid log format '" + std::string(format) + "': use text or json");
    }
    auto logger = std::make_shared<spdlog::logger>(
        "schemagate", std::make_shared<ScrubbingStderrSink>(format == "json"));
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
    logger->set_level(parsed);
    logger->flush_on(spdlog::level::trace);
    spdlog::set_default_logger(logger);
    return {};
}

} // namespace schemagate::util
