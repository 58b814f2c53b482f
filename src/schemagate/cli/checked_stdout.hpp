#pragma once

#include <streambuf>
#include <string>

#include <schemagate/util/error.hpp>

namespace schemagate::cli {

// What a command printed could not all be written to stdout (a full disk, a closed file
// descriptor): exit 1, as for `upgrade --sql`.
struct StdoutFailed : Error {
    explicit StdoutFailed(const std::string& message)
        : Error(ExitCode::migration_failed, message) {}
};
// The reader of stdout went away first, as `head` does in `schemagate history | head -1`: the
// same exit code, but no error message, since the reader had what it wanted.
struct StdoutClosed : StdoutFailed {
    using StdoutFailed::StdoutFailed;
};

// std::cout's buffer while a command runs. It writes through to C's stdout as the standard
// one does (same buffering, so output and timing do not change), and remembers why the first
// write failed, which a std::ostream's state bits forget.
class CheckedStdout final : public std::streambuf {
public:
    CheckedStdout();  // installs itself as std::cout's buffer
    ~CheckedStdout(); // puts the previous one back
    CheckedStdout(const CheckedStdout&) = delete;
    CheckedStdout& operator=(const CheckedStdout&) = delete;

    // Flushes stdout. Throws StdoutClosed when the reader closed the pipe, StdoutFailed when
    // anything else kept what was printed from being written.
    void finish();

protected:
    int_type overflow(int_type c) override;
    std::streamsize xsputn(const char* s, std::streamsize n) override;
    int sync() override;

private:
    std::streamsize put(const char* s, std::streamsize n);

    std::streambuf* m_previous;
    int m_error = 0; // errno of the first failed write or flush
};

} // namespace schemagate::cli
