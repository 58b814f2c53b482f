#include <support/loopback.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <utility>

#include <gtest/gtest.h>

namespace schemagate::testing {

namespace {

// A TCP socket bound to a free port of 127.0.0.1, and that port; -1 and 0 on failure.
std::pair<int, int> bind_loopback() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        ADD_FAILURE() << "socket() failed";
        return {-1, 0};
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        ADD_FAILURE() << "cannot bind a socket on 127.0.0.1";
        ::close(fd);
        return {-1, 0};
    }
    return {fd, ntohs(addr.sin_port)};
}

} // namespace

SilentListener::SilentListener() {
    const auto [fd, port] = bind_loopback();
    if (fd >= 0 && ::listen(fd, 1) != 0) {
        ADD_FAILURE() << "listen() failed";
        ::close(fd);
        return;
    }
    m_fd = fd;
    m_port = port;
}

SilentListener::~SilentListener() {
    if (m_fd >= 0) {
        ::close(m_fd);
    }
}

int refused_loopback_port() {
    const auto [fd, port] = bind_loopback();
    if (fd >= 0) {
        ::close(fd);
    }
    return port;
}

} // namespace schemagate::testing
