#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace schemagate::util {

// `value` as JSON text (`indent` as nlohmann::json::dump takes it): every JSON writer goes
// through here, so that a byte that is not UTF-8 (a Latin-1 path, a message read back from a
// SQL_ASCII database) becomes U+FFFD instead of an exception that loses the real outcome.
inline std::string json_text(const nlohmann::json& value, int indent = -1) {
    return value.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace schemagate::util
