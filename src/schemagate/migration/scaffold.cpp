#include <schemagate/migration/scaffold.hpp>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <random>

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
    if (!is_valid_id(id)) {
        throw UsageError("invalid revision id '" + id +
                         "'; use letters, digits, '.', '-' and '_', not base/head/heads");
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
    if (std::filesystem::exists(path)) {
        throw UsageError(path.string() + " already exists; choose another message or --rev-id");
    }
    std::ofstream out(path, std::ios::binary);
    out << render_migration(id, parents, message);
    out.close();
    if (!out) {
        throw UsageError("cannot write " + path.string() + "; check the directory's permissions");
    }
    return path;
}

} // namespace schemagate::migration
