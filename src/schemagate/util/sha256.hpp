#pragma once

#include <string>
#include <string_view>

namespace schemagate::util {

// Lowercase hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

} // namespace schemagate::util
