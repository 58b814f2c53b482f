#include <schemagate/store/history_table.hpp>

#include <cstdint>

#include <schemagate/util/sha256.hpp>
#include <schemagate/util/strings.hpp>

namespace schemagate::store {

std::string quote_ident(std::string_view name) {
    std::string out = "\"";
    for (char c : name) {
        if (c == '"') {
            out += '"';
        }
        out += c;
    }
    return out + "\"";
}

std::string HistoryTable::qualified() const {
    return quote_ident(schema) + "." + quote_ident(table);
}

std::string HistoryTable::log_qualified() const {
    return quote_ident(schema) + "." + quote_ident(table + "_log");
}

std::string HistoryTable::run_qualified() const {
    return quote_ident(schema) + "." + quote_ident(table + "_run");
}

std::string HistoryTable::display() const {
    return schema + "." + table;
}

std::int64_t HistoryTable::lock_key() const {
    // The first 8 bytes of a hash of the table's name: different history tables in one
    // database get independent locks, and every copy of schemagate derives the same key.
    const std::string hex = util::sha256_hex("schemagate:" + display());
    const std::uint64_t bits = std::stoull(hex.substr(0, 16), nullptr, 16);
    return static_cast<std::int64_t>(bits);
}

std::string HistoryTable::channel() const {
    static constexpr char k_hex[] = "0123456789abcdef";
    auto bits = static_cast<std::uint64_t>(lock_key());
    std::string hex(16, '0');
    for (std::size_t i = 16; i-- > 0; bits >>= 4) {
        hex[i] = k_hex[bits & 0xf];
    }
    return "schemagate_" + hex;
}

tl::expected<HistoryTable, std::string> parse_history_table(std::string_view text) {
    HistoryTable out;
    const std::size_t dot = text.find('.');
    if (dot == std::string_view::npos) {
        out.table = std::string(text);
    } else {
        out.schema = std::string(text.substr(0, dot));
        out.table = std::string(text.substr(dot + 1));
    }
    if (util::has_control(text)) {
        // A newline would end the comment that names the table in a --sql script, and an
        // escape sequence would forge log lines: the name is refused, shown escaped.
        return tl::unexpected("invalid --history-table '" + util::printable(text) +
                              "': it holds a control character (a newline, tab, escape...); "
                              "use table or schema.table in printable characters");
    }
    for (const std::string* name : {&out.schema, &out.table}) {
        if (name->empty() || name->size() > 59 || name->find('.') != std::string::npos) {
            return tl::unexpected("invalid --history-table '" + util::printable(text) +
                                  "'; use table or schema.table, each name 1 to 59 bytes "
                                  "without '.'");
        }
    }
    return out;
}

} // namespace schemagate::store
