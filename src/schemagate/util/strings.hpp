#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace schemagate::util {

std::string_view trim(std::string_view s);
bool starts_with_ci(std::string_view s, std::string_view prefix);
std::string to_lower(std::string_view s);
// %XX escapes decoded, as in a URI's user info; a malformed escape is kept as written.
std::string percent_decode(std::string_view s);
// Splits on `sep`, trimming each piece; empty pieces are kept.
std::vector<std::string> split_trimmed(std::string_view s, char sep);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
// Lowercase ASCII letters and digits joined by single '_', at most `max_len` characters.
std::string slugify(std::string_view text, std::size_t max_len = 40);

} // namespace schemagate::util
