#pragma once

#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace schemagate::util {

// Sends spdlog's default logger to stderr through a sink that scrubs registered secrets.
// `level` is one of trace, debug, info, warn, error; returns a reason for any other value.
tl::expected<void, std::string> setup_logging(std::string_view level);

}  // namespace schemagate::util
