#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace schemagate::http {

// Where a request goes: from "[http[s]://][USER[:PASSWORD]@]HOST:PORT[/ignored]".
struct Endpoint {
    std::string scheme; // "http" or "https"
    std::string host;   // as written: an IPv6 address keeps its brackets
    int port = 0;
    std::string user;     // percent-decoded; "" for no basic auth
    std::string password; // percent-decoded; never part of display()
    // "scheme://host:port": safe to print, holds no credential.
    std::string display() const;
};

// The endpoint in `url`, or nullopt when it has no host, or no port in 1..65535, or a scheme
// other than http and https. A path after HOST:PORT is ignored.
std::optional<Endpoint> parse_endpoint(std::string_view url);

// `url` with the password of its user info, if any, replaced by "***", for messages.
std::string redact_url(std::string_view url);

enum class Method { post, put };

// Sends `body` with `method` to `path` on `to`, with basic auth when `to` has a user, and waits
// at most `timeout` each to connect, to send and to read. Returns the answer's status code, or
// a message (lowercase, without the password) when no answer came.
tl::expected<int, std::string> send(Method method, const Endpoint& to, const std::string& path,
                                    const std::string& body, const std::string& content_type,
                                    std::chrono::milliseconds timeout);

} // namespace schemagate::http
