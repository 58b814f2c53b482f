#include <schemagate/migration/loader.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

#include <schemagate/migration/parser.hpp>
#include <schemagate/util/error.hpp>

namespace schemagate::migration {

namespace {

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw UsageError(path.string() + ": cannot read the file; check its permissions");
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

} // namespace

std::vector<Migration> load_migrations(const std::vector<std::filesystem::path>& dirs) {
    std::vector<std::filesystem::path> files;
    for (const auto& dir : dirs) {
        std::error_code ec;
        if (!std::filesystem::is_directory(dir, ec)) {
            throw UsageError("migrations directory '" + dir.string() +
                             "' does not exist; pass --dir or create it");
        }
        std::vector<std::filesystem::path> found;
        for (const auto& entry : std::filesystem::directory_iterator(dir)) {
            const std::string name = entry.path().filename().string();
            if (name.empty() || name.front() == '.' || entry.path().extension() != ".sql") {
                continue;
            }
            if (!std::filesystem::is_regular_file(entry.path(), ec)) {
                continue; // a directory or a dangling link
            }
            found.push_back(entry.path());
        }
        std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
            return a.filename().string() < b.filename().string();
        });
        files.insert(files.end(), found.begin(), found.end());
    }

    std::vector<Migration> migrations;
    std::vector<std::string> problems;
    for (const auto& file : files) {
        auto parsed = parse_migration(file, read_file(file));
        if (parsed) {
            migrations.push_back(std::move(*parsed));
        } else {
            for (auto& d : parsed.error()) {
                problems.push_back(std::move(d.message));
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
