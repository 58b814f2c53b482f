#pragma once

namespace schemagate::testing {

// A TCP socket on 127.0.0.1 that listens on a free port and never accepts: a connection and
// a request get through (the kernel queues them), an answer never comes.
class SilentListener {
public:
    // Fails the test (and port() is 0) when no socket could be bound.
    SilentListener();
    ~SilentListener();
    SilentListener(const SilentListener&) = delete;
    SilentListener& operator=(const SilentListener&) = delete;

    int port() const { return m_port; }

private:
    int m_fd = -1;
    int m_port = 0;
};

// A port of 127.0.0.1 that was free a moment ago (bound, then closed without listening), so a
// connection to it is refused. 0 after failing the test when none could be bound.
int refused_loopback_port();

} // namespace schemagate::testing
