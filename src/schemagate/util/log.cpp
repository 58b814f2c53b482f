#include <schemagate/util/log.hpp>

#include <cstdio>
#include <memory>
#include <mutex>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <schemagate/util/secrets.hpp>

namespace schemagate::util {

namespace {

// Formats each record, scrubs secrets out of the whole line, then writes it to stderr.
class ScrubbingStderrSink final : public spdlog::sinks::base_sink<std::mutex> {
protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        spdlog::memory_buf_t formatted;
        formatter_->format(msg, formatted);
        const std::string line = scrub(std::string_view(formatted.data(), formatted.size()));
        std::fwrite(line.data(), 1, line.size(), stderr);
    }
    void flush_() override { std::fflush(stderr); }
};

}  // namespace

tl::expected<void, std::string> setup_logging(std::string_view level) {
    const auto parsed = spdlog::level::from_str(std::string(level));
    if (parsed == spdlog::level::off && level != "off") {
        return tl::unexpected("invalid log level '" + std::string(level) +
                              "': use trace, debug, info, warn or error");
    }
    auto logger =
        std::make_shared<spdlog::logger>("schemagate", std::make_shared<ScrubbingStderrSink>());
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
    logger->set_level(parsed);
    logger->flush_on(spdlog::level::trace);
    spdlog::set_default_logger(logger);
    return {};
}

}  // namespace schemagate::util
