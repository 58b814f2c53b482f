#include <schemagate/util/interrupt.hpp>

#include <atomic>
#include <csignal>

#include <unistd.h>

#include <schemagate/util/error.hpp>

namespace schemagate::util {

namespace {

std::atomic<int> g_signals{0};

extern "C" void on_signal(int) {
    if (g_signals.fetch_add(1) >= 1) {
        _exit(static_cast<int>(ExitCode::interrupted));
    }
}

} // namespace

void install_interrupt_handlers() {
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

bool interrupted() {
    return g_signals.load() > 0;
}

void throw_if_interrupted() {
    if (interrupted()) {
        throw Interrupted("interrupted by a signal; stopped between revisions, the lock is "
                          "released");
    }
}

} // namespace schemagate::util
