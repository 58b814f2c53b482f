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

// The length of the well-formed UTF-8 character at s[i] (1 to 4), or 0 when the bytes there
// are not one (a stray continuation byte, an overlong form, a surrogate, a cut sequence).
std::size_t utf8_char_length(std::string_view s, std::size_t i);
// `s` with each byte that is not part of a well-formed UTF-8 character replaced by U+FFFD.
std::string utf8_valid(std::string_view s);
// The longest prefix of `s` of at most `max_bytes` bytes that does not end inside a UTF-8
// character.
std::string_view utf8_prefix(std::string_view s, std::size_t max_bytes);
// True when `s` holds a control character: C0 (below 0x20), DEL or a C1 (U+0080 to U+009F).
bool has_control(std::string_view s);
// `s` safe to print on one line of a terminal or a text log: control characters and bytes
// that are not UTF-8 are written as escapes (\n, \r, \t, \x1b, \xe9, \u009b), so
// text from a file, an option or the database can neither start a new log line nor send a
// terminal escape sequence. Anything else is kept as it is.
std::string printable(std::string_view s);

} // namespace schemagate::util
