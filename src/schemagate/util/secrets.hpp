#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace schemagate::util {

// Secrets shorter than this are never searched for in output (see scrub()).
inline constexpr std::size_t k_min_scrubbed_secret = 8;

// A process-wide list of secret strings (database passwords) to search for in output as a
// last line of defence. Secrets shorter than k_min_scrubbed_secret are not kept: replacing
// every "e" of a message because the password is "e" would mangle it and give the password
// away; structural redaction (redact_secrets) is what hides those.
void register_secret(std::string secret);

// How many times register_secret() has been called in this process (kept or not), so tests
// can check that a value's secrets are registered once, where it is parsed.
std::size_t secret_registrations();

// Every password that `text` shows by its structure, replaced with "***": the user info of
// anything URI-shaped (scheme://user:password@, a raw '@' or '/' in the password included)
// and the value of any key ending in "password" (password=, sslpassword=, PGPASSWORD=,
// ?password=, single-quoted values included), wherever they appear in the text.
std::string redact_secrets(std::string_view text);

// redact_secrets(), then every registered secret replaced with "***". For text: run it on
// values before they are JSON-encoded, never on the encoded text.
std::string scrub(std::string_view text);

// Returns the connection string with any password replaced by "***", for display.
// Understands both URIs (postgresql://user:pw@host/db?password=pw, and any other scheme's
// user:pw@ such as a Pushgateway's http://) and key=value strings; sslpassword too.
std::string redact_conninfo(std::string_view conninfo);

// The password embedded in a connection string, or "" when there is none.
std::string conninfo_password(std::string_view conninfo);

// Registers the passwords (password, sslpassword) of a connection string as secrets, both as
// written (libpq quotes it that way in its errors, percent-encoding and all) and as decoded.
void register_conninfo_secrets(std::string_view conninfo);

} // namespace schemagate::util
