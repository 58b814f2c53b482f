#include <schemagate/migration/scaffold.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <random>

#include <fcntl.h>
#include <unistd.h>

#include <schemagate/migration/parser.hpp>
#include <schemagate/util/error.hpp>
#include <schemagate/util/strings.hpp>

namespace schemagate::migration {

namespace {

bool all_digits(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) != 0;
    });
}

} // namespace

std::string next_revision_id(const RevisionGraph& graph) {
    const auto& ms = graph.migrations();
    const bool numbered = ms.empty() || std::all_of(ms.begin(), ms.end(), [](const Migration& m) {
                              return all_digits(m.id) && m.id.size() <= 18;
                          });
    if (numbered) {
        unsigned long long highest = 0;
        std::size_t width = 3;
        for (const auto& m : ms) {
            highest = std::max(highest, std::stoull(m.id));
            width = std::max(width, m.id.size());
        }
        std::string next = std::to_string(highest + 1);
        if (next.size() < width) {
            next.insert(0, width - next.size(), '0');
        }
        return next;
    }
    std::random_device rd;
    std::uniform_int_distribution<int> digit(0, 15);
    std::string id;
    for (int i = 0; i < 12; ++i) {
        id += "0123456789abcdef"[digit(rd)];
    }
    return id;
}

std::string render_migration(const std::string& id, const std::vector<std::string>& parents,
                             const std::string& message) {
    std::string text;
    text +=
        "-- parents: " + (parents.empty() ? std::string("base") : util::join(parents, ", ")) + "\n";
    text += "-- revision: " + id + "\n";
    text += "-- message: " + message + "\n\n";
    text += "-- migrate:up\n";
    if (parents.size() < 2) {
        text += "\n";
    }
    text += "\n-- migrate:down\n";
    if (parents.size() < 2) {
        text += "\n";
    }
    return text;
}

std::filesystem::path write_migration(const std::filesystem::path& dir, const RevisionGraph& graph,
                                      const std::string& id,
                                      const std::vector<std::string>& parents,
                                      const std::string& message) {
    if (auto invalid = invalid_id("revision id", id)) {
        throw UsageError(*invalid);
    }
    if (graph.contains(id)) {
        throw UsageError("revision id '" + id + "' is already used by " +
                         graph.at(id).path.string());
    }
    if (message.find('\n') != std::string::npos) {
        throw UsageError("the message must be a single line");
    }
    std::string slug = util::slugify(message);
    const auto path = dir / (id + (slug.empty() ? "" : "_" + slug) + ".sql");
    // O_EXCL: a file of that name, even one created a moment ago by someone else, is never
    // overwritten. Every failure names the file and why, as the system says it.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0644);
    if (fd < 0) {
        const int error = errno;
        if (error == EEXIST) {
            throw UsageError(path.string() + " already exists; choose another message or --rev-id");
        }
        throw UsageError("cannot create " + path.string() + " (" + std::strerror(error) +
                         "); check the directory and its permissions");
    }
    const std::string text = render_migration(id, parents, message);
    std::size_t written = 0;
    int error = 0;
    while (written < text.size()) {
        const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            error = n < 0 ? errno : EIO;
            break;
        }
        written += static_cast<std::size_t>(n);
    }
    if (::close(fd) != 0 && error == 0) {
        error = errno;
    }
    if (error != 0) {
        ::unlink(path.c_str());
        throw UsageError("cannot write " + path.string() + " (" + std::strerror(error) +
                         "); check the free space and the directory's permissions");
    }
    return path;
}

} // namespace schemagate::migration
