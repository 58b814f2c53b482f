#include <schemagate/migration/parser.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>
#include <utility>

#include <schemagate/migration/sql_splitter.hpp>
#include <schemagate/util/duration.hpp>
#include <schemagate/util/strings.hpp>

namespace schemagate::migration {

namespace {

// In the order of the error message that lists them.
enum class Directive {
    parents,
    revision,
    message,
    transaction,
    lock_timeout,
    statement_timeout,
    lint_disable,
};
constexpr std::size_t k_directive_count = 7;
constexpr std::array<std::string_view, k_directive_count> k_directives = {
    "parents",      "revision",          "message",     "transaction",
    "lock-timeout", "statement-timeout", "lint-disable"};

enum class LineKind { blank, comment, directive, up_marker, down_marker, sql };

// Views into the line: classifying a line allocates nothing.
struct ClassifiedLine {
    LineKind kind = LineKind::blank;
    std::string_view key; // as written; directive names are case-insensitive
    std::string_view value;
};

// ASCII only, as <cctype> is in the "C" locale schemagate runs in, but inline: the parser looks
// at every line of every file.
constexpr bool is_space(char c) {
    return c == ' ' || (c >= '\t' && c <= '\r');
}
constexpr char lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}
constexpr bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
constexpr bool is_alnum(char c) {
    return is_alpha(c) || (c >= '0' && c <= '9');
}

bool equals_ci(std::string_view a, std::string_view lowercase) {
    return a.size() == lowercase.size() && std::equal(a.begin(), a.end(), lowercase.begin(),
                                                      [](char x, char y) { return lower(x) == y; });
}

bool is_key_char(char c) {
    return is_alnum(c) || c == '-' || c == '_';
}

ClassifiedLine classify(std::string_view line) {
    std::size_t first = 0;
    while (first < line.size() && is_space(line[first])) {
        ++first;
    }
    if (first == line.size()) {
        return {LineKind::blank, {}, {}};
    }
    if (line.substr(first, 2) != "--") {
        return {LineKind::sql, {}, {}};
    }
    const std::string_view body = util::trim(line.substr(first + 2));
    if (equals_ci(body, "migrate:up")) {
        return {LineKind::up_marker, {}, {}};
    }
    if (equals_ci(body, "migrate:down")) {
        return {LineKind::down_marker, {}, {}};
    }
    std::size_t i = 0;
    if (!body.empty() && is_alpha(body[0])) {
        while (i < body.size() && is_key_char(body[i])) {
            ++i;
        }
        if (i < body.size() && body[i] == ':') {
            return {LineKind::directive, body.substr(0, i), util::trim(body.substr(i + 1))};
        }
    }
    return {LineKind::comment, {}, {}};
}

// The directive `key` names, if any.
std::optional<Directive> find_directive(std::string_view key) {
    for (std::size_t d = 0; d < k_directive_count; ++d) {
        if (equals_ci(key, k_directives[d])) {
            return static_cast<Directive>(d);
        }
    }
    return std::nullopt;
}

// Calls `each` with every comma-separated piece of `list`, trimmed; empty pieces included, as
// util::split_trimmed gives them.
template <typename F> void for_each_piece(std::string_view list, F each) {
    for (;;) {
        const std::size_t comma = list.find(',');
        each(util::trim(list.substr(0, comma)));
        if (comma == std::string_view::npos) {
            return;
        }
        list.remove_prefix(comma + 1);
    }
}

// The offset of the first byte that is not part of well-formed UTF-8 (RFC 3629: no overlong
// forms, no surrogates, nothing above U+10FFFF, as PostgreSQL checks it), or npos.
std::size_t invalid_utf8_at(std::string_view text) {
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    std::size_t i = 0;
    while (i < n) {
        // Migrations are mostly ASCII: skip it eight bytes at a time.
        std::uint64_t word = 0;
        while (i + sizeof word <= n) {
            std::memcpy(&word, p + i, sizeof word);
            if ((word & 0x8080808080808080ULL) != 0) {
                break;
            }
            i += sizeof word;
        }
        if (i == n) {
            break;
        }
        const std::size_t length = util::utf8_char_length(text, i);
        if (length == 0) {
            return i;
        }
        i += length;
    }
    return std::string_view::npos;
}

// The 1-based line and column (in bytes) of offset `at`.
std::pair<std::size_t, std::size_t> line_and_column(std::string_view text, std::size_t at) {
    const std::string_view before = text.substr(0, at);
    const std::size_t line_begin = before.rfind('\n') + 1; // npos + 1 == 0
    return {1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n')),
            at - line_begin + 1};
}

// Refuses text the rest of the parser must not see: a NUL byte (the server would run only
// what comes before it), and anything that is not UTF-8. Returns the line and the message of
// the first such problem.
std::optional<std::pair<std::size_t, std::string>> encoding_problem(std::string_view text) {
    if (text.starts_with("\xFF\xFE") || text.starts_with("\xFE\xFF")) {
        return std::pair<std::size_t, std::string>{
            1, "the file is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8"};
    }
    if (const std::size_t nul = text.find('\0'); nul != std::string_view::npos) {
        const auto [line, column] = line_and_column(text, nul);
        return std::pair<std::size_t, std::string>{
            line, "a NUL byte at column " + std::to_string(column) +
                      ", where the server would end the statement and run less than the file "
                      "says; remove it"};
    }
    if (const std::size_t bad = invalid_utf8_at(text); bad != std::string_view::npos) {
        const auto [line, column] = line_and_column(text, bad);
        char byte[8];
        std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(text[bad]));
        return std::pair<std::size_t, std::string>{
            line, "invalid UTF-8 (byte " + std::string(byte) + " at column " +
                      std::to_string(column) + "); save the file as UTF-8"};
    }
    return std::nullopt;
}

// `id` for a message: a long one is cut, so that a 9000-character id does not flood the screen.
std::string shown(std::string_view id) {
    constexpr std::size_t k_shown = 40;
    return id.size() <= k_shown + 8 ? std::string(id) : std::string(id.substr(0, k_shown)) + "...";
}

std::string too_long(std::string_view id) {
    return "(" + std::to_string(id.size()) + " characters); revision ids are at most " +
           std::to_string(k_max_id_size) + " characters";
}

constexpr std::string_view k_bom = "\xEF\xBB\xBF";

} // namespace

std::optional<std::string> invalid_id(std::string_view what, std::string_view id) {
    if (is_valid_id(id)) {
        return std::nullopt;
    }
    const std::string head = "invalid " + std::string(what) + " '" + shown(id) + "'";
    if (id.size() > k_max_id_size) {
        return head + " " + too_long(id);
    }
    return head + "; use letters, digits, '.', '-' and '_', not base/head/heads";
}

bool is_reserved_id(std::string_view id) {
    return equals_ci(id, "base") || equals_ci(id, "head") || equals_ci(id, "heads");
}

bool is_valid_id(std::string_view id) {
    if (id.empty() || id.size() > k_max_id_size || is_reserved_id(id)) {
        return false;
    }
    if (!is_alnum(id[0])) {
        return false;
    }
    for (char c : id) {
        if (!is_alnum(c) && c != '.' && c != '-' && c != '_') {
            return false;
        }
    }
    return true;
}

tl::expected<Migration, std::vector<Diagnostic>>
parse_migration(FilePath path, std::string_view text, KeepText keep) {
    std::vector<Diagnostic> problems;
    auto fail = [&](std::size_t line, const std::string& what) {
        problems.push_back(
            {(line == 0 ? path.string() : path.string() + ":" + std::to_string(line)) + ": " +
             what});
    };

    if (text.size() > std::numeric_limits<std::uint32_t>::max()) {
        fail(0, "the file is larger than 4 GiB; split it into several revisions");
        return tl::unexpected(std::move(problems));
    }
    if (auto problem = encoding_problem(text)) {
        fail(problem->first, problem->second);
        return tl::unexpected(std::move(problems));
    }
    Migration m;
    const std::string_view stem = path.stem();
    const std::size_t underscore = stem.find('_');
    const std::string_view default_id = stem.substr(0, underscore);

    enum class Where { header, up, down } where = Where::header;
    std::array<std::size_t, k_directive_count> seen{}; // directive -> line, 0 when not seen
    std::optional<std::string_view> message;
    bool have_revision = false;
    bool have_parents = false;
    std::size_t up_marker_line = 0;
    std::size_t line_no = 0;
    // A UTF-8 byte-order mark, as editors on Windows write it, is not part of the first line.
    // Offsets stay those of the file, so the sections (and the checksum) are the same without it.
    std::size_t pos = text.starts_with(k_bom) ? k_bom.size() : 0;
    while (pos < text.size()) {
        const std::size_t nl = text.find('\n', pos);
        const std::size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
        const std::string_view raw = text.substr(pos, end - pos);
        const std::size_t line_start = pos;
        pos = end;
        ++line_no;
        const ClassifiedLine line = classify(raw);

        if (line.kind == LineKind::up_marker) {
            if (where != Where::header) {
                fail(line_no, "a second '-- migrate:up' marker; a file holds one revision");
                continue;
            }
            where = Where::up;
            up_marker_line = line_no;
            m.up = Section{line_no, static_cast<std::uint32_t>(end), 0};
            continue;
        }
        if (line.kind == LineKind::down_marker) {
            if (where == Where::header) {
                fail(line_no, "'-- migrate:down' before '-- migrate:up'; put the up section first");
            } else if (where == Where::down) {
                fail(line_no, "a second '-- migrate:down' marker; a file holds one revision");
            } else {
                where = Where::down;
                m.up.size = static_cast<std::uint32_t>(line_start - m.up.offset);
                m.down = Section{line_no, static_cast<std::uint32_t>(end), 0};
            }
            continue;
        }
        if (where != Where::header) {
            continue; // SQL of a section: where each section ends is all that matters
        }

        // The header: directives, comments and blank lines only.
        if (line.kind == LineKind::sql) {
            fail(line_no, "SQL before the '-- migrate:up' marker; move it under '-- migrate:up'");
            continue;
        }
        if (line.kind != LineKind::directive) {
            continue;
        }
        const auto directive = find_directive(line.key);
        if (!directive) {
            fail(line_no, "unknown directive '" + util::to_lower(line.key) +
                              "'; known directives are parents, revision, message, transaction, "
                              "lock-timeout, statement-timeout and lint-disable (reword a plain "
                              "comment so it has no 'word:' prefix)");
            continue;
        }
        const auto index = static_cast<std::size_t>(*directive);
        const std::string name(k_directives[index]);
        if (seen[index] != 0) {
            fail(line_no, "directive '" + name + "' repeated (first on line " +
                              std::to_string(seen[index]) + ")");
            continue;
        }
        seen[index] = line_no;
        switch (*directive) {
        case Directive::parents:
            have_parents = true;
            m.parents_line = line_no;
            if (equals_ci(line.value, "base")) {
                break;
            }
            for_each_piece(line.value, [&](std::string_view p) {
                if (p.size() > k_max_id_size) {
                    fail(line_no, "invalid parent '" + shown(p) + "' in 'parents' " + too_long(p));
                } else if (!is_valid_id(p)) {
                    fail(line_no, "invalid parent '" + std::string(p) +
                                      "' in 'parents'; list revision ids separated by "
                                      "commas, or write 'base' for a first revision");
                } else if (std::find(m.parents.begin(), m.parents.end(), p) != m.parents.end()) {
                    fail(line_no, "parent '" + std::string(p) + "' listed twice in 'parents'");
                } else {
                    m.parents.emplace_back(p);
                }
            });
            break;
        case Directive::revision:
            m.revision_line = line_no;
            if (auto invalid = invalid_id("revision id", line.value)) {
                fail(line_no, *invalid);
            } else {
                m.id = line.value;
                have_revision = true;
            }
            break;
        case Directive::message:
            message = line.value;
            break;
        case Directive::lock_timeout:
        case Directive::statement_timeout:
            if (auto d = util::parse_duration(line.value); !d) {
                fail(line_no, "'" + name + "': " + d.error());
            } else {
                (*directive == Directive::lock_timeout ? m.lock_timeout : m.statement_timeout) = *d;
            }
            break;
        case Directive::lint_disable:
            for_each_piece(line.value, [&](std::string_view rule) {
                if (rule.empty()) {
                    fail(line_no, "empty rule id in 'lint-disable'; list rule ids separated by "
                                  "commas, e.g. SG101, SG104");
                } else {
                    m.lint_disable.emplace_back(rule);
                }
            });
            break;
        case Directive::transaction:
            if (!equals_ci(line.value, "none")) {
                fail(line_no, "invalid 'transaction: " + std::string(line.value) +
                                  "'; the only value is 'none' (omit the directive to run each "
                                  "section in one transaction)");
            } else {
                m.transaction = TransactionMode::none;
            }
            break;
        }
    }
    if (where == Where::up) {
        m.up.size = static_cast<std::uint32_t>(text.size() - m.up.offset);
    } else if (where == Where::down) {
        m.down->size = static_cast<std::uint32_t>(text.size() - m.down->offset);
    }

    // Both sections are split now, though a step splits its section again when it runs: a
    // broken down section must not wait for the downgrade that needs it. The statements are
    // not kept. A directive's line in a section is SQL's comment, which would silently do
    // nothing; one inside a string or a dollar-quoted body is SQL and no business of ours.
    const auto check_section = [&](const Section& section, std::string_view name) {
        const auto checked =
            check_sql(text.substr(section.offset, section.size), [&](const LineComment& comment) {
                const ClassifiedLine l = classify(comment.text);
                if (l.kind == LineKind::directive && find_directive(l.key)) {
                    fail(section.first_line + comment.line,
                         "directive '" + util::to_lower(l.key) + "' in the " + std::string(name) +
                             " section, where it has no effect; move it above '-- migrate:up'");
                }
            });
        if (!checked) {
            fail(section.first_line + checked.error().line,
                 "the " + std::string(name) + " section cannot be split into statements: " +
                     checked.error().message + "; close it");
        }
    };
    if (where != Where::header) {
        check_section(m.up, "up");
        if (m.down) {
            check_section(*m.down, "down");
        }
    }

    if (where == Where::header) {
        fail(0, "no '-- migrate:up' section; add a '-- migrate:up' line followed by the SQL");
    } else if (!have_parents) {
        fail(up_marker_line, "missing '-- parents:' directive before '-- migrate:up'; write "
                             "'-- parents: base' for a first revision");
    }
    if (!have_revision) {
        if (is_valid_id(default_id)) {
            m.id = default_id;
        } else if (default_id.size() > k_max_id_size) {
            fail(0, "cannot take a revision id from the file name: '" + shown(default_id) + "' " +
                        too_long(default_id) +
                        "; shorten the part before the first '_' or add a '-- revision:' "
                        "directive");
        } else {
            fail(0, "cannot take a revision id from the file name; name the file "
                    "<revision>_<slug>.sql or add a '-- revision:' directive");
        }
    }
    if (message) {
        m.message = *message;
    } else if (underscore != std::string_view::npos) {
        m.message = stem.substr(underscore + 1);
        std::replace(m.message.begin(), m.message.end(), '_', ' ');
    }
    if (!problems.empty()) {
        return tl::unexpected(std::move(problems));
    }
    m.checksum = checksum_of(text.substr(m.up.offset, m.up.size));
    if (keep == KeepText::in_memory) {
        m.hold_text(text);
    } else {
        m.leave_text_on_disk(text);
    }
    m.path = std::move(path);
    return m;
}

} // namespace schemagate::migration
