#include <schemagate/migration/loader.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <schemagate/migration/parser.hpp>
#include <schemagate/migration/text_file.hpp>
#include <schemagate/util/error.hpp>

namespace schemagate::migration {

namespace {

// Whether `name` ends in ".sql" in any mix of case.
bool ends_with_sql_any_case(std::string_view name) {
    if (name.size() < 4) {
        return false;
    }
    const std::string_view ext = name.substr(name.size() - 4);
    return ext[0] == '.' && (ext[1] | 0x20) == 's' && (ext[2] | 0x20) == 'q' &&
           (ext[3] | 0x20) == 'l';
}

// The names directly inside one directory that look like migrations, sorted, and the directory
// open for openat(): files are opened by name relative to it, so the kernel does not walk the
// directory's own path again for each one.
//
// A name that looks like a migration is one not starting with '.' that ends in ".sql" in any
// case. Each must be a regular file (after symlinks) named "*.sql": anything else is refused,
// never skipped, or a run would exit 0 without that revision and release the new app onto an
// old schema. Names starting with '.' (a ConfigMap's ..data link and timestamped folder, editor
// swap files) and other endings ("001_x.sql~", "001_x.sql.bak", notes) are ignored on purpose.
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
            if (file.front() == '.' || !ends_with_sql_any_case(file)) {
                continue;
            }
            std::string problem =
                file.ends_with(".sql")
                    ? not_a_file(*entry)
                    : "a migration's name must end in '.sql', in lower case; rename it to " +
                          std::string(file.substr(0, file.size() - 4)) +
                          ".sql, or move it out of the directory";
            std::size_t problem_index = 0;
            if (!problem.empty()) {
                m_problems.push_back(std::move(problem));
                problem_index = m_problems.size();
            }
            m_files.push_back({m_names.size(), file.size(), problem_index});
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
    // Why the i-th entry cannot be read as a migration, or nullptr when it can.
    const std::string* problem(std::size_t i) const {
        return m_files[i].problem == 0 ? nullptr : &m_problems[m_files[i].problem - 1];
    }

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
        std::size_t problem; // 1 + its index in m_problems, 0 for none
    };
    std::string_view view(const Name& n) const { return {m_names.data() + n.start, n.size}; }

    // Why the entry is not a regular file, following symlinks (a ConfigMap's files are links
    // into its timestamped folder), or nothing when it is one. Never opens it: opening a FIFO
    // could block.
    std::string not_a_file(const dirent& entry) const {
        if (entry.d_type == DT_REG) {
            return {};
        }
        struct stat st {};
        if (::fstatat(dir_fd(), entry.d_name, &st, 0) != 0) {
            const int error = errno;
            if (error == ELOOP) {
                return "a symlink loop; point the link at a migration file, or remove it";
            }
            if (error == ENOENT) {
                // Either a link to nothing, or the entry itself went away since readdir.
                struct stat link {};
                if (::fstatat(dir_fd(), entry.d_name, &link, AT_SYMLINK_NOFOLLOW) == 0 &&
                    S_ISLNK(link.st_mode)) {
                    return "a dangling symlink (what it points to does not exist); point it at "
                           "a migration file, or remove it";
                }
                return "went away while the directory was read; run the command again";
            }
            return std::string("cannot be examined (") + std::strerror(error) +
                   "); check its permissions";
        }
        if (S_ISREG(st.st_mode)) {
            return {};
        }
        if (S_ISDIR(st.st_mode)) {
            return "a directory, and subdirectories are not searched; rename it so that it does "
                   "not end in '.sql' (pass it with a --dir of its own to read its migrations)";
        }
        const char* what = S_ISFIFO(st.st_mode)   ? "a FIFO"
                           : S_ISSOCK(st.st_mode) ? "a socket"
                                                  : "a device";
        return std::string(what) +
               ", not a regular file; put the migration's text in a regular file of that name, "
               "or remove it";
    }

    std::unique_ptr<DIR, CloseDir> m_dir;
    std::string m_names; // each name followed by a NUL
    std::vector<Name> m_files;
    std::vector<std::string> m_problems;
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
            if (const std::string* problem = files.problem(i)) {
                problems.push_back(path + ": " + *problem);
                continue;
            }
            std::string_view text;
            if (!reader.read(files.dir_fd(), name.data(), text)) {
                problems.push_back(path + ": cannot be read (" + std::strerror(errno) +
                                   "); check its permissions");
                continue;
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
