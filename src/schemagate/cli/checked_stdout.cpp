#include <schemagate/cli/checked_stdout.hpp>

#include <cerrno>
#include <cstdio>
#include <iostream>
#include <system_error>

namespace schemagate::cli {

CheckedStdout::CheckedStdout() : m_previous(std::cout.rdbuf(this)) {}

CheckedStdout::~CheckedStdout() {
    std::cout.rdbuf(m_previous);
}

CheckedStdout::int_type CheckedStdout::overflow(int_type c) {
    if (traits_type::eq_int_type(c, traits_type::eof())) {
        return traits_type::not_eof(c);
    }
    const char ch = traits_type::to_char_type(c);
    return put(&ch, 1) == 1 ? c : traits_type::eof();
}

std::streamsize CheckedStdout::xsputn(const char* s, std::streamsize n) {
    return put(s, n);
}

int CheckedStdout::sync() {
    if (std::fflush(stdout) != 0) {
        if (m_error == 0) {
            m_error = errno;
        }
        return -1;
    }
    return 0;
}

std::streamsize CheckedStdout::put(const char* s, std::streamsize n) {
    if (m_error != 0) {
        return 0; // the output is already incomplete: don't add to it
    }
    const std::size_t written = std::fwrite(s, 1, static_cast<std::size_t>(n), stdout);
    if (written < static_cast<std::size_t>(n)) {
        m_error = errno;
    }
    return static_cast<std::streamsize>(written);
}

void CheckedStdout::finish() {
    sync(); // not std::cout.flush(), which does nothing once the stream is bad
    if (m_error == 0 && std::ferror(stdout) != 0) {
        m_error = EIO; // written past std::cout, and failed: the reason is lost
    }
    if (m_error == EPIPE) {
        throw StdoutClosed("stdout was closed before everything was written (its reader "
                           "exited, as `head` does)");
    }
    if (m_error != 0) {
        throw StdoutFailed("cannot write to stdout (" + std::generic_category().message(m_error) +
                           "); check the disk or the pipe it goes to: what was printed is "
                           "incomplete");
    }
}

} // namespace schemagate::cli
