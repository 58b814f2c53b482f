#pragma once

#include <string>
#include <string_view>

namespace schemagate::util {

// A process-wide list of secret strings (database passwords) that must never be printed.
// Everything that leaves the process as text (the log sink, error messages printed by main)
// passes through scrub(), which replaces each registered secret with "***".
void register_secret(std::string secret);
std::string scrub(std::string_view text);

// Returns the connection string with any password replaced by "***", for display.
// Understands both URIs (postgresql://user:pw@host/db?password=pw, and any other scheme's
// user:pw@ such as a Pushgateway's http://) and key=value strings.
std::string redact_conninfo(std::string_view conninfo);

// The password embedded in a connection string, or "" when there is none.
std::string conninfo_password(std::string_view conninfo);

// Registers the password of a connection string as a secret, both as written (libpq quotes
// it that way in its errors, percent-encoding and all) and as decoded.
void register_conninfo_secrets(std::string_view conninfo);

} // namespace schemagate::util
