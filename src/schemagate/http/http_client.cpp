#include <schemagate/http/http_client.hpp>

#include <memory>

#include <httplib.h>

#include <schemagate/util/strings.hpp>

namespace schemagate::http {

namespace {

// The offset where the authority (user info, host, port) of `url` starts: after "scheme://".
std::size_t authority_start(std::string_view url) {
    const std::size_t sep = url.find("://");
    return sep == std::string_view::npos ? 0 : sep + 3;
}

// Why a request got no answer, for the person on call.
std::string describe(httplib::Error error, std::chrono::milliseconds timeout) {
    const std::string within = " within " + std::to_string(timeout.count()) + "ms";
    switch (error) {
    case httplib::Error::Connection:
        return "cannot connect: check the address and that it is running";
    case httplib::Error::ConnectionTimeout:
        return "did not accept a connection" + within;
    case httplib::Error::Read:
        return "did not answer" + within;
    case httplib::Error::Write:
        return "did not take the request" + within;
    case httplib::Error::SSLConnection:
        return "the TLS handshake failed";
    case httplib::Error::SSLLoadingCerts:
        return "cannot load the system's CA certificates";
    case httplib::Error::SSLServerVerification:
        return "its TLS certificate does not verify against the system's CA certificates";
    default:
        return "the request failed (" + httplib::to_string(error) + ")";
    }
}

void split_timeout(std::chrono::milliseconds timeout, time_t& sec, time_t& usec) {
    sec = static_cast<time_t>(timeout.count() / 1000);
    usec = static_cast<time_t>((timeout.count() % 1000) * 1000);
}

} // namespace

std::string Endpoint::display() const {
    return scheme + "://" + host + ":" + std::to_string(port);
}

std::optional<Endpoint> parse_endpoint(std::string_view url) {
    Endpoint e;
    const std::size_t start = authority_start(url);
    if (start == 0) {
        e.scheme = "http";
    } else {
        e.scheme = std::string(url.substr(0, start - 3));
        if (e.scheme != "http" && e.scheme != "https") {
            return std::nullopt;
        }
    }
    std::string_view authority = url.substr(start);
    authority = authority.substr(0, authority.find('/'));
    if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
        const std::string_view info = authority.substr(0, at);
        const std::size_t colon = info.find(':');
        e.user = util::percent_decode(info.substr(0, colon));
        if (colon != std::string_view::npos) {
            e.password = util::percent_decode(info.substr(colon + 1));
        }
        authority = authority.substr(at + 1);
    }
    const std::size_t colon = authority.rfind(':');
    if (colon == std::string_view::npos || colon == 0 ||
        authority.find(']', colon) != std::string_view::npos) {
        return std::nullopt;
    }
    e.host = std::string(authority.substr(0, colon));
    const std::string_view port = authority.substr(colon + 1);
    if (port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string_view::npos) {
        return std::nullopt;
    }
    e.port = std::stoi(std::string(port));
    if (e.port < 1 || e.port > 65535) {
        return std::nullopt;
    }
    return e;
}

std::string redact_url(std::string_view url) {
    const std::size_t start = authority_start(url);
    const std::size_t end = std::min(url.find('/', start), url.size());
    const std::size_t at = url.rfind('@', end);
    if (at == std::string_view::npos || at < start) {
        return std::string(url);
    }
    const std::size_t colon = url.find(':', start);
    if (colon == std::string_view::npos || colon > at) {
        return std::string(url);
    }
    return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
}

tl::expected<int, std::string> send(Method method, const Endpoint& to, const std::string& path,
                                    const std::string& body, const std::string& content_type,
                                    std::chrono::milliseconds timeout) {
    // The socket layer wants the bare address; only the Host header takes the brackets.
    std::string host = to.host;
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    std::unique_ptr<httplib::ClientImpl> client;
    if (to.scheme == "https") {
        client = std::make_unique<httplib::SSLClient>(host, to.port);
    } else {
        client = std::make_unique<httplib::ClientImpl>(host, to.port);
    }
    time_t sec = 0;
    time_t usec = 0;
    split_timeout(timeout, sec, usec);
    client->set_connection_timeout(sec, usec);
    client->set_read_timeout(sec, usec);
    client->set_write_timeout(sec, usec);
    if (!to.user.empty()) {
        client->set_basic_auth(to.user, to.password);
    }
    const httplib::Result result = method == Method::put ? client->Put(path, body, content_type)
                                                         : client->Post(path, body, content_type);
    if (!result) {
        return tl::unexpected(describe(result.error(), timeout));
    }
    return result->status;
}

} // namespace schemagate::http
