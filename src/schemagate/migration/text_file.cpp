#include <schemagate/migration/text_file.hpp>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

namespace schemagate::migration {

TextFileReader::TextFileReader(std::size_t initial_capacity)
    : m_buffer(new char[initial_capacity + 1]), m_capacity(initial_capacity + 1) {}

bool TextFileReader::read(int dir_fd, const char* name, std::string_view& text) {
    const int fd = ::openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        return false;
    }
    std::size_t used = 0;
    for (;;) {
        if (used == m_capacity) {
            std::unique_ptr<char[]> bigger(new char[2 * m_capacity]);
            std::memcpy(bigger.get(), m_buffer.get(), used);
            m_buffer = std::move(bigger);
            m_capacity *= 2;
        }
        const ssize_t n = ::read(fd, m_buffer.get() + used, m_capacity - used);
        if (n > 0) {
            used += static_cast<std::size_t>(n);
        } else if (n == 0) {
            break;
        } else if (errno != EINTR) {
            const int error = errno;
            ::close(fd);
            errno = error;
            return false;
        }
    }
    ::close(fd);
    text = std::string_view(m_buffer.get(), used);
    return true;
}

} // namespace schemagate::migration
