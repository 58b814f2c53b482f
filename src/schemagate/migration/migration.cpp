#include <schemagate/migration/migration.hpp>

#include <cerrno>
#include <cstring>
#include <functional>
#include <ostream>
#include <stdexcept>

#include <fcntl.h>

#include <schemagate/migration/text_file.hpp>
#include <schemagate/util/error.hpp>
#include <schemagate/util/sha256.hpp>
#include <schemagate/util/strings.hpp>

namespace schemagate::migration {

namespace {

std::size_t hash_of(std::string_view text) {
    return std::hash<std::string_view>{}(text);
}

// The file Migration::sql() read last, in this thread: callers often want a file's up and then
// its down section, and the second then costs no system call.
struct LastFile {
    std::string path;
    std::size_t size = 0;
    std::size_t hash = 0;
    std::string text;
};
thread_local LastFile last_file;

// Makes `last_file` the file at `path` as it was loaded, reading it again unless it is already.
// Returns 0, or -1 when the file changed, or the errno of a failed read.
int load_last_file(const std::string& path, std::uint32_t size, std::size_t hash) {
    LastFile& last = last_file;
    if (last.path == path && last.size == size && last.hash == hash) {
        return 0;
    }
    TextFileReader reader(size);
    std::string_view text;
    if (!reader.read(AT_FDCWD, path.c_str(), text)) {
        return errno;
    }
    if (text.size() != size || hash_of(text) != hash) {
        return -1;
    }
    last.path = path;
    last.size = size;
    last.hash = hash;
    last.text = text;
    return 0;
}

} // namespace

std::string_view FilePath::filename() const {
    const std::size_t slash = m_path.rfind('/');
    return slash == std::string::npos ? std::string_view(m_path)
                                      : std::string_view(m_path).substr(slash + 1);
}

std::string_view FilePath::stem() const {
    const std::string_view name = filename();
    if (name == "." || name == "..") {
        return name;
    }
    const std::size_t dot = name.rfind('.');
    return dot == std::string_view::npos || dot == 0 ? name : name.substr(0, dot);
}

std::ostream& operator<<(std::ostream& out, const FilePath& path) {
    return out << path.m_path;
}

std::string Migration::where(std::size_t line) const {
    return line == 0 ? path.string() : path.string() + ":" + std::to_string(line);
}

void Migration::hold_text(std::string_view text) {
    m_text = std::make_shared<const std::string>(text);
    m_on_disk = false;
    m_file_size = 0;
    m_file_hash = 0;
}

void Migration::leave_text_on_disk(std::string_view text) {
    m_text.reset();
    m_on_disk = true;
    m_file_size = static_cast<std::uint32_t>(text.size());
    m_file_hash = hash_of(text);
}

std::optional<std::string> Migration::try_sql(const Section& section) const {
    if (&section != &up && !(down && &section == &*down)) {
        throw std::logic_error("Migration::sql: the section of another migration");
    }
    if (!m_on_disk) {
        return m_text ? m_text->substr(section.offset, section.size) : std::string();
    }
    if (load_last_file(path.string(), m_file_size, m_file_hash) != 0) {
        return std::nullopt;
    }
    return last_file.text.substr(section.offset, section.size);
}

std::string Migration::sql(const Section& section) const {
    if (m_on_disk) {
        if (const int error = load_last_file(path.string(), m_file_size, m_file_hash)) {
            throw IntegrityError(
                path.string() + ": the file " +
                (error < 0 ? std::string("changed")
                           : "went away (" + std::string(std::strerror(error)) + ")") +
                " while schemagate ran, after it was read at the start; run the command again "
                "so that it reads the file as it is now");
        }
    }
    return *try_sql(section);
}

std::string checksum_of(std::string_view sql) {
    // Trimming first gives the same text as trimming after dropping each "\r" before "\n":
    // both are whitespace, so no such pair straddles the trimmed ends.
    sql = util::trim(sql);
    util::Sha256 sha;
    for (std::size_t cr = sql.find('\r'); cr != std::string_view::npos; cr = sql.find('\r', cr)) {
        if (cr + 1 < sql.size() && sql[cr + 1] == '\n') {
            sha.update(sql.substr(0, cr));
            sql.remove_prefix(cr + 1);
            cr = 0;
        } else {
            ++cr;
        }
    }
    sha.update(sql);
    return sha.hex_digest();
}

} // namespace schemagate::migration
