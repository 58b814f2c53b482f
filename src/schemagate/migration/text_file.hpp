#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

namespace schemagate::migration {

// Reads whole files into one buffer that it reuses from one file to the next: open, read until
// end of file, close, and no other system call or allocation per file.
class TextFileReader {
public:
    explicit TextFileReader(std::size_t initial_capacity = 16 * 1024);

    // The text of file `name`, relative to the directory open as `dir_fd` (AT_FDCWD: the
    // current directory). Valid until the next read. Returns false and sets errno on failure.
    bool read(int dir_fd, const char* name, std::string_view& text);

private:
    std::unique_ptr<char[]> m_buffer;
    std::size_t m_capacity;
};

} // namespace schemagate::migration
