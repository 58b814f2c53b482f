// libFuzzer target for parse_migration, followed by split_sql on the sections it returns, as the
// runner does. Besides running under ASan and UBSan, it checks that a parsed migration is
// well-formed: valid ids, distinct parents, sections that are exactly the file's lines after
// their markers and that split, and the checksum of the up section.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string_view>

#include "fuzz_check.hpp"

#include <schemagate/migration/parser.hpp>
#include <schemagate/migration/sql_splitter.hpp>

namespace {

using namespace schemagate::migration;

// The offset where 1-based line `line` starts (lines end after '\n'), or the size past the end.
std::size_t line_start(std::string_view text, std::size_t line) {
    std::size_t pos = 0;
    for (std::size_t n = 1; n < line; ++n) {
        const std::size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) {
            return text.size();
        }
        pos = nl + 1;
    }
    return pos;
}

bool is_lower_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

void check_migration(std::string_view text, const Migration& m) {
    SCHEMAGATE_FUZZ_CHECK(is_valid_id(m.id));
    for (std::size_t i = 0; i < m.parents.size(); ++i) {
        SCHEMAGATE_FUZZ_CHECK(is_valid_id(m.parents[i]));
        SCHEMAGATE_FUZZ_CHECK(std::count(m.parents.begin(), m.parents.end(), m.parents[i]) == 1);
    }
    SCHEMAGATE_FUZZ_CHECK(m.parents_line >= 1);
    SCHEMAGATE_FUZZ_CHECK(m.parents_line < m.up.first_line);

    // The up section is every line after its marker, up to the down marker or the end.
    SCHEMAGATE_FUZZ_CHECK(m.up.first_line >= 1);
    const std::size_t up_begin = line_start(text, m.up.first_line + 1);
    std::size_t up_end = text.size();
    if (m.down) {
        SCHEMAGATE_FUZZ_CHECK(m.down->first_line > m.up.first_line);
        up_end = line_start(text, m.down->first_line);
        SCHEMAGATE_FUZZ_CHECK(m.sql(*m.down) ==
                              text.substr(line_start(text, m.down->first_line + 1)));
    }
    SCHEMAGATE_FUZZ_CHECK(up_begin <= up_end);
    SCHEMAGATE_FUZZ_CHECK(m.sql(m.up) == text.substr(up_begin, up_end - up_begin));

    SCHEMAGATE_FUZZ_CHECK(m.checksum == checksum_of(m.sql(m.up)));
    SCHEMAGATE_FUZZ_CHECK(m.checksum.size() == 64);
    SCHEMAGATE_FUZZ_CHECK(std::all_of(m.checksum.begin(), m.checksum.end(), is_lower_hex));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // libFuzzer passes a heap copy of exactly `size` bytes, so ASan sees any read past the end.
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const std::filesystem::path path = "001_fuzz.sql";
    const auto parsed = parse_migration(path, text);
    if (!parsed) {
        SCHEMAGATE_FUZZ_CHECK(!parsed.error().empty());
        for (const Diagnostic& d : parsed.error()) {
            SCHEMAGATE_FUZZ_CHECK(d.message.starts_with(path.string() + ":"));
        }
        return 0;
    }
    check_migration(text, *parsed);
    // What the runner does next; split_sql's own properties are checked by sql_splitter_fuzz.
    // The parser checked both sections, so both split.
    SCHEMAGATE_FUZZ_CHECK(split_sql(parsed->sql(parsed->up)).has_value());
    if (parsed->down) {
        SCHEMAGATE_FUZZ_CHECK(split_sql(parsed->sql(*parsed->down)).has_value());
    }
    return 0;
}
