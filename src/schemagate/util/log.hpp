#pragma once

#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace schemagate::util {

// Sends spdlog's default logger to stderr through a sink that scrubs registered secrets.
// `level` is trace, debug, info, warn or error; `format` is text or json (one object per line:
// time, level, msg, and the LogFields in scope). Returns a reason for any other value.
tl::expected<void, std::string> setup_logging(std::string_view level,
                                              std::string_view format = "text");

// A field added to every JSON log line this thread writes while the object lives, such as
// the revision being applied. Text logs ignore fields.
class LogField {
public:
    enum class Type { string, number };
    LogField(std::string key, std::string value, Type type = Type::string);
    ~LogField();
    LogField(const LogField&) = delete;
    LogField& operator=(const LogField&) = delete;
};

// `s` as the inside of a JSON string.
std::string json_escape(std::string_view s);

} // namespace schemagate::util
