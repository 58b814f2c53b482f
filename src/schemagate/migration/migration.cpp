#include <schemagate/migration/migration.hpp>

#include <schemagate/util/sha256.hpp>
#include <schemagate/util/strings.hpp>

namespace schemagate::migration {

std::string Migration::where(std::size_t line) const {
    return line == 0 ? path.string() : path.string() + ":" + std::to_string(line);
}

std::string checksum_of(const std::string& sql) {
    std::string normalized;
    normalized.reserve(sql.size());
    for (std::size_t i = 0; i < sql.size(); ++i) {
        if (sql[i] == '\r' && i + 1 < sql.size() && sql[i + 1] == '\n') {
            continue;
        }
        normalized += sql[i];
    }
    return util::sha256_hex(util::trim(normalized));
}

} // namespace schemagate::migration
