#include <schemagate/http/http_server.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <utility>
#include <vector>

#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <schemagate/util/error.hpp>
#include <schemagate/util/secrets.hpp>

// Why not cpp-httplib's server (the client in http_client.cpp still uses it): Debian ships it as
// a shared library, so its limits are fixed when Debian compiles it. 0.11.4 reads any number of
// header lines into memory, its read timeout restarts with every recv() (a byte every few
// seconds keeps a request open forever), and each open request holds one thread of a fixed
// pool, so a handful of slow clients starve the probes. This server needs to answer only small
// GET requests: one thread waits on every socket with poll(), reads each request head into a
// buffer of bounded size by a deadline counted from accept(), answers, and closes.

namespace schemagate::http {

namespace {

using Clock = std::chrono::steady_clock;

// How long a client may take to read its answer.
constexpr auto k_write_deadline = std::chrono::seconds(5);
// After the answer, how long what the client still sends is read and dropped before closing:
// closing with unread bytes would reset the connection and could destroy the answer in flight.
constexpr auto k_drain_time = std::chrono::seconds(2);
// Connections accepted per turn of the loop, so a flood of connects cannot starve the others.
constexpr int k_accepts_per_turn = 64;
// Reads of a draining connection per turn of the loop, for the same reason.
constexpr int k_drain_reads_per_turn = 16;

class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : m_fd(fd) {}
    UniqueFd(UniqueFd&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept {
        reset(std::exchange(other.m_fd, -1));
        return *this;
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    ~UniqueFd() { reset(); }

    int get() const { return m_fd; }
    void reset(int fd = -1) {
        if (m_fd >= 0) {
            ::close(m_fd);
        }
        m_fd = fd;
    }

private:
    int m_fd = -1;
};

struct Response {
    int status = 200;
    std::string content_type;
    std::string body;
};

const char* reason_phrase(int status) {
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "Unknown";
    }
}

enum class Body { send, omit };

std::string serialize(const Response& response, Body body) {
    std::string out = "HTTP/1.1 " + std::to_string(response.status) + " " +
                      reason_phrase(response.status) + "\r\n";
    out += "Content-Type: " + response.content_type + "\r\n";
    if (response.status == 405) {
        out += "Allow: GET, HEAD\r\n";
    }
    out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
    out += "Connection: close\r\n\r\n";
    if (body == Body::send) {
        out += response.body;
    }
    return out;
}

Response plain(int status, const std::string& text) {
    return {status, "text/plain", text + "\n"};
}

enum class Phase { reading, writing, draining };

struct Connection {
    UniqueFd fd;
    Phase phase = Phase::reading;
    Clock::time_point deadline;
    std::string head;        // the request head so far, at most max_head_bytes + 1 bytes
    std::size_t scanned = 0; // bytes of `head` already looked at for line ends
    std::size_t line_start = 0;
    std::size_t lines = 0; // complete lines, the request line included
    std::string out;       // the answer
    std::size_t written = 0;
};

enum class Scan { incomplete, complete, too_large };

// Looks at the bytes of the head not looked at yet: counts lines, and finds the empty line that
// ends the head. Lines may end with CRLF or a bare LF; empty lines before the request line are
// skipped, as RFC 9112 asks.
Scan scan(Connection& c, const Limits& limits) {
    for (; c.scanned < c.head.size(); ++c.scanned) {
        if (c.head[c.scanned] != '\n') {
            continue;
        }
        const std::size_t length = c.scanned - c.line_start;
        const bool empty = length == 0 || (length == 1 && c.head[c.line_start] == '\r');
        c.line_start = c.scanned + 1;
        if (empty && c.lines > 0) {
            if (c.scanned >= limits.max_head_bytes) {
                return Scan::too_large;
            }
            c.head.resize(c.scanned + 1);
            return Scan::complete;
        }
        if (!empty && ++c.lines > limits.max_header_count + 1) {
            return Scan::too_large;
        }
    }
    return c.head.size() > limits.max_head_bytes ? Scan::too_large : Scan::incomplete;
}

} // namespace

struct HttpServer::Loop {
    Endpoints endpoints;
    Limits limits;
    UniqueFd listener;
    UniqueFd wake; // an eventfd: readable once the server is to stop
    std::vector<std::unique_ptr<Connection>> connections; // oldest first
    Clock::time_point accept_paused_until;

    void run();
    void accept_all(Clock::time_point now);
    void on_ready(Connection& c, Clock::time_point now);
    void on_deadline(Connection& c, Clock::time_point now);
    void answer(Connection& c, const Response& response, Body body, Clock::time_point now);
    void write_some(Connection& c, Clock::time_point now);
    Response respond(std::string_view head, Body& body) const;
};

Response HttpServer::Loop::respond(std::string_view head, Body& body) const {
    std::string_view line = head.substr(0, head.find('\n'));
    if (!line.empty() && line.back() == '\r') {
        line.remove_suffix(1);
    }
    const std::size_t space1 = line.find(' ');
    const std::size_t space2 =
        space1 == std::string_view::npos ? space1 : line.find(' ', space1 + 1);
    if (space2 == std::string_view::npos || space1 == 0 || space2 == space1 + 1 ||
        line.substr(space2 + 1).rfind("HTTP/1.", 0) != 0 ||
        line.find(' ', space2 + 1) != std::string_view::npos) {
        return plain(400, "bad request line");
    }
    const std::string_view method = line.substr(0, space1);
    const std::string_view target = line.substr(space1 + 1, space2 - space1 - 1);
    const std::string_view path = target.substr(0, target.find('?'));
    if (path != "/healthz" && path != "/readyz" && path != "/metrics") {
        return plain(404, "not found: serving /healthz, /readyz and /metrics");
    }
    if (method != "GET" && method != "HEAD") {
        return plain(405, "method not allowed: use GET");
    }
    body = method == "HEAD" ? Body::omit : Body::send;
    try {
        if (path == "/healthz") {
            return {200, "text/plain", "ok\n"};
        }
        if (path == "/readyz") {
            const auto [ready, reason] = endpoints.readiness();
            // Already scrubbed value by value, before it was encoded (cli::Observability):
            // scrubbing the encoded text could break its JSON.
            return {ready ? 200 : 503, "application/json", reason + "\n"};
        }
        return {200, "text/plain; version=0.0.4; charset=utf-8", util::scrub(endpoints.metrics())};
    } catch (const std::exception& e) {
        spdlog::warn("{}: {}", path, util::scrub(e.what()));
        return plain(500, "internal error");
    }
}

void HttpServer::Loop::answer(Connection& c, const Response& response, Body body,
                              Clock::time_point now) {
    c.out = serialize(response, body);
    c.written = 0;
    c.phase = Phase::writing;
    c.deadline = now + k_write_deadline;
    c.head = std::string();
    write_some(c, now);
}

void HttpServer::Loop::write_some(Connection& c, Clock::time_point now) {
    while (c.written < c.out.size()) {
        const ssize_t n =
            ::send(c.fd.get(), c.out.data() + c.written, c.out.size() - c.written, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return;
        }
        if (n <= 0) {
            c.fd.reset();
            return;
        }
        c.written += static_cast<std::size_t>(n);
    }
    ::shutdown(c.fd.get(), SHUT_WR);
    c.out = std::string();
    c.phase = Phase::draining;
    c.deadline = now + k_drain_time;
}

void HttpServer::Loop::on_ready(Connection& c, Clock::time_point now) {
    if (c.phase == Phase::writing) {
        write_some(c, now);
        return;
    }
    char buffer[4096];
    int drained = 0;
    while (c.fd.get() >= 0 && c.phase != Phase::writing) {
        std::size_t room = sizeof buffer;
        if (c.phase == Phase::reading) {
            room = std::min(room, limits.max_head_bytes + 1 - c.head.size());
        } else if (++drained > k_drain_reads_per_turn) {
            return;
        }
        const ssize_t n = ::recv(c.fd.get(), buffer, room, 0);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return;
        }
        if (n <= 0) {
            c.fd.reset(); // the client went away, or is done reading the answer
            return;
        }
        if (c.phase == Phase::draining) {
            continue;
        }
        c.head.append(buffer, static_cast<std::size_t>(n));
        switch (scan(c, limits)) {
        case Scan::incomplete:
            break;
        case Scan::too_large:
            spdlog::debug("http: a request head over {} bytes or {} headers: 431",
                          limits.max_head_bytes, limits.max_header_count);
            answer(c,
                   plain(431, "request header fields too large: at most " +
                                  std::to_string(limits.max_header_count) + " headers and " +
                                  std::to_string(limits.max_head_bytes) + " bytes"),
                   Body::send, now);
            break;
        case Scan::complete: {
            Body body = Body::send;
            const Response response = respond(c.head, body);
            answer(c, response, body, now);
            break;
        }
        }
    }
}

void HttpServer::Loop::on_deadline(Connection& c, Clock::time_point now) {
    if (c.phase == Phase::reading) {
        spdlog::debug("http: a request head not complete after {} ms: 408",
                      limits.request_deadline.count());
        answer(c, plain(408, "request timeout"), Body::send, now);
        if (c.phase == Phase::writing) {
            c.fd.reset(); // it does not even read: give up on it now
        }
    } else {
        c.fd.reset();
    }
}

void HttpServer::Loop::accept_all(Clock::time_point now) {
    for (int i = 0; i < k_accepts_per_turn; ++i) {
        const int fd = ::accept4(listener.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO) {
                continue;
            }
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                if (!connections.empty()) {
                    connections.erase(connections.begin());
                    continue;
                }
                accept_paused_until = now + std::chrono::milliseconds(100);
            }
            return;
        }
        if (connections.size() >= limits.max_connections) {
            connections.erase(connections.begin());
        }
        auto c = std::make_unique<Connection>();
        c->fd.reset(fd);
        c->deadline = now + limits.request_deadline;
        connections.push_back(std::move(c));
    }
}

void HttpServer::Loop::run() {
    std::vector<pollfd> fds;
    for (;;) {
        const auto before = Clock::now();
        auto next = Clock::time_point::max();
        fds.clear();
        fds.push_back({wake.get(), POLLIN, 0});
        fds.push_back({before < accept_paused_until ? -1 : listener.get(), POLLIN, 0});
        if (before < accept_paused_until) {
            next = accept_paused_until;
        }
        for (const auto& c : connections) {
            fds.push_back({c->fd.get(),
                           static_cast<short>(c->phase == Phase::writing ? POLLOUT : POLLIN), 0});
            next = std::min(next, c->deadline);
        }
        int timeout = -1;
        if (next != Clock::time_point::max()) {
            const auto wait = std::chrono::ceil<std::chrono::milliseconds>(next - before).count();
            timeout = static_cast<int>(std::clamp<decltype(wait)>(wait, 0, 60'000));
        }
        if (::poll(fds.data(), fds.size(), timeout) < 0 && errno != EINTR) {
            spdlog::error("http: poll failed ({}): /healthz, /readyz and /metrics stop answering",
                          std::strerror(errno));
            return;
        }
        if (fds[0].revents != 0) {
            return;
        }
        const auto now = Clock::now();
        for (std::size_t i = 0; i < connections.size(); ++i) {
            Connection& c = *connections[i];
            const short events = fds[i + 2].revents;
            if ((events & POLLNVAL) != 0) {
                c.fd.reset();
            } else if (events != 0) {
                on_ready(c, now);
            }
            if (c.fd.get() >= 0 && now >= c.deadline) {
                on_deadline(c, now);
            }
        }
        std::erase_if(connections, [](const auto& c) { return c->fd.get() < 0; });
        if ((fds[1].revents & POLLIN) != 0) {
            accept_all(now);
        }
    }
}

namespace {

// Binds and listens on host:port, without SO_REUSEPORT so that a second process cannot share
// the port unnoticed; an IPv6 socket takes IPv4 too where the host allows it.
UniqueFd bind_listener(const std::string& listen, const std::string& host, int& port) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    addrinfo* found = nullptr;
    const std::string cannot_bind =
        port == 0 ? "--listen '" + listen + "': cannot bind a port on " + host
                  : "--listen '" + listen +
                        "': cannot bind (address in use, or not an address of this host)";
    if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) {
        throw UsageError(cannot_bind);
    }
    UniqueFd fd;
    for (const addrinfo* at = found; at != nullptr; at = at->ai_next) {
        fd.reset(::socket(at->ai_family, at->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                          at->ai_protocol));
        if (fd.get() < 0) {
            continue;
        }
        const int yes = 1;
        const int no = 0;
        ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
        if (at->ai_family == AF_INET6) {
            ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &no, sizeof no);
        }
        if (::bind(fd.get(), at->ai_addr, at->ai_addrlen) == 0 &&
            ::listen(fd.get(), SOMAXCONN) == 0) {
            break;
        }
        fd.reset();
    }
    ::freeaddrinfo(found);
    if (fd.get() < 0) {
        throw UsageError(cannot_bind);
    }
    sockaddr_storage bound{};
    socklen_t length = sizeof bound;
    if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&bound), &length) == 0) {
        if (bound.ss_family == AF_INET) {
            port = ntohs(reinterpret_cast<const sockaddr_in*>(&bound)->sin_port);
        } else if (bound.ss_family == AF_INET6) {
            port = ntohs(reinterpret_cast<const sockaddr_in6*>(&bound)->sin6_port);
        }
    }
    return fd;
}

} // namespace

HttpServer::HttpServer(const std::string& listen, Endpoints endpoints, Limits limits)
    : m_loop(std::make_unique<Loop>()) {
    const std::size_t colon = listen.rfind(':');
    int port = -1;
    if (colon != std::string::npos && colon + 1 < listen.size() && listen.size() - colon <= 6) {
        try {
            std::size_t used = 0;
            port = std::stoi(listen.substr(colon + 1), &used);
            port = used == listen.size() - colon - 1 ? port : -1;
        } catch (const std::exception&) {
            port = -1;
        }
    }
    if (port < 0 || port > 65535) {
        throw UsageError("--listen '" + listen + "': use ADDRESS:PORT, e.g. 0.0.0.0:9090");
    }
    std::string host = colon == 0 ? "0.0.0.0" : listen.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }

    m_loop->endpoints = std::move(endpoints);
    m_loop->limits = limits;
    m_loop->listener = bind_listener(listen, host, port);
    m_loop->wake.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (m_loop->wake.get() < 0) {
        throw Error(ExitCode::usage,
                    "--listen '" + listen + "': cannot create an eventfd: " + std::strerror(errno));
    }
    m_address = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
                std::to_string(port);
    m_thread = std::thread([loop = m_loop.get()] {
        try {
            loop->run();
        } catch (const std::exception& e) {
            spdlog::error("http: the server stopped ({}): /healthz, /readyz and /metrics stop "
                          "answering",
                          e.what());
        }
    });
    spdlog::info("serving /healthz, /readyz and /metrics on http://{}", m_address);
}

HttpServer::~HttpServer() {
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t written = ::write(m_loop->wake.get(), &one, sizeof one);
    if (m_thread.joinable()) {
        m_thread.join();
    }
}

} // namespace schemagate::http
