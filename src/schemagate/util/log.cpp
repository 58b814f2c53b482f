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

// Formats each record, scrubs secrets out of the whole line, then writes it to stderr.
class ScrubbingStderrSink final : public spdlog::sinks::base_sink<std::mutex> {
public:
    explicit ScrubbingStderrSink(bool json) : m_json(json) {}

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        std::string line;
        if (m_json) {
            const auto level = spdlog::level::to_string_view(msg.level);
            line = "{\"time\":\"" + iso_time(msg.time) + "\",\"level\":\"" +
                   std::string(level.data(), level.size()) + "\",\"msg\":\"" +
                   json_escape(std::string_view(msg.payload.data(), msg.payload.size())) + "\"";
            for (const auto& f : t_fields) {
                line += ",\"" + json_escape(f.key) + "\":" +
                        (f.type == LogField::Type::number ? f.value
                                                          : "\"" + json_escape(f.value) + "\"");
            }
            line += "}\n";
        } else {
            spdlog::memory_buf_t formatted;
            formatter_->format(msg, formatted);
            line.assign(formatted.data(), formatted.size());
        }
        line = scrub(line);
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
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
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
            if (static_cast<unsigned char>(c) < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof(buf), "\\u%04x", static_cast<unsigned char>(c));
                out += buf;
            } else {
                out += c;
            }
        }
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
