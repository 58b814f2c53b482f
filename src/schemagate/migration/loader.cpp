#include <schemagate/migration/loader.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <schemagate/migration/parser.hpp>
#include <schemagate/migration/text_file.hpp>
#include <schemagate/util/error.hpp>

namespace schemagate::migration {

namespace {

// The `*.sql` file names directly inside one directory, sorted, and the directory open for
// openat(): files are opened by name relative to it, so the kernel does not walk the
// directory's own path again for each one.
class SqlFiles {
public:
    explicit SqlFiles(const std::string& dir) {
        const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
            if (errno == ENOENT || errno == ENOTDIR) {
                throw UsageError("migrations directory '" + dir +
                                 "' does not exist; pass --dir or create it");
            }
            unreadable(dir);
        }
        m_dir.reset(::fdopendir(fd));
        if (!m_dir) {
            ::close(fd);
            unreadable(dir);
        }
        // All names in one buffer, sorted through their offsets: one allocation, not one each.
        for (;;) {
            errno = 0;
            const dirent* entry = ::readdir(m_dir.get());
            if (entry == nullptr) {
                if (errno != 0) {
                    unreadable(dir);
                }
                break;
            }
            const std::string_view file(entry->d_name);
            if (file.front() == '.' || file.size() <= 4 || !file.ends_with(".sql") ||
                !regular_file(*entry)) {
                continue;
            }
            m_files.push_back({m_names.size(), file.size()});
            m_names.append(file);
            m_names.push_back('\0');
        }
        std::sort(m_files.begin(), m_files.end(),
                  [this](const Name& a, const Name& b) { return view(a) < view(b); });
    }

    int dir_fd() const { return ::dirfd(m_dir.get()); }
    std::size_t size() const { return m_files.size(); }
    // The i-th name in sorted order; NUL-terminated.
    std::string_view operator[](std::size_t i) const { return view(m_files[i]); }

private:
    struct CloseDir {
        void operator()(DIR* d) const { ::closedir(d); }
    };

    [[noreturn]] static void unreadable(const std::string& dir, int error = errno) {
        throw UsageError("migrations directory '" + dir + "' cannot be read (" +
                         std::strerror(error) + "); check its permissions");
    }

    struct Name {
        std::size_t start;
        std::size_t size;
    };
    std::string_view view(const Name& n) const { return {m_names.data() + n.start, n.size}; }

    // Whether the entry is a regular file, following symlinks: a ConfigMap's files are links
    // into its timestamped folder. A directory or a dangling link is not.
    bool regular_file(const dirent& entry) const {
        if (entry.d_type == DT_REG) {
            return true;
        }
        if (entry.d_type != DT_LNK && entry.d_type != DT_UNKNOWN) {
            return false;
        }
        struct stat st {};
        return ::fstatat(dir_fd(), entry.d_name, &st, 0) == 0 && S_ISREG(st.st_mode);
    }

    std::unique_ptr<DIR, CloseDir> m_dir;
    std::string m_names; // each name followed by a NUL
    std::vector<Name> m_files;
};

} // namespace

std::vector<Migration> load_migrations(const std::vector<std::filesystem::path>& dirs) {
    std::vector<Migration> migrations;
    std::vector<std::string> problems;
    TextFileReader reader;
    for (const auto& dir : dirs) {
        const std::string dir_name = dir.string();
        const SqlFiles files(dir_name);
        migrations.reserve(migrations.size() + files.size());
        // As std::filesystem::path's operator/ joins them.
        const std::string prefix =
            dir_name.empty() || dir_name.back() == '/' ? dir_name : dir_name + '/';
        for (std::size_t i = 0; i < files.size(); ++i) {
            const std::string_view name = files[i];
            std::string path;
            path.reserve(prefix.size() + name.size());
            path.append(prefix).append(name);
            std::string_view text;
            if (!reader.read(files.dir_fd(), name.data(), text)) {
                throw UsageError(path + ": cannot read the file; check its permissions");
            }
            auto parsed = parse_migration(std::move(path), text, KeepText::on_disk);
            if (parsed) {
                migrations.push_back(std::move(*parsed));
            } else {
                for (auto& d : parsed.error()) {
                    problems.push_back(std::move(d.message));
                }
            }
        }
    }
    if (!problems.empty()) {
        std::string message = "invalid migration files:";
        for (const auto& p : problems) {
            message += "\n  " + p;
        }
        throw IntegrityError(message);
    }
    return migrations;
}

} // namespace schemagate::migration
