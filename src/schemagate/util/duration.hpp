#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace schemagate::util {

using Millis = std::chrono::milliseconds;

// Parses "500ms", "10s", "5m", "1h", "1h30m" or a bare number of seconds ("30").
// Returns a lowercase reason on bad input.
tl::expected<Millis, std::string> parse_duration(std::string_view text);

// Formats as the shortest of "850ms", "12s", "1m30s", "2h".
std::string format_duration(Millis d);

} // namespace schemagate::util
