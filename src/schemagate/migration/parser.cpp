#include <schemagate/migration/parser.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <optional>

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

} // namespace

bool is_reserved_id(std::string_view id) {
    return equals_ci(id, "base") || equals_ci(id, "head") || equals_ci(id, "heads");
}

bool is_valid_id(std::string_view id) {
    if (id.empty() || is_reserved_id(id)) {
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
    std::size_t pos = 0;
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
                if (!is_valid_id(p)) {
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
            if (!is_valid_id(line.value)) {
                fail(line_no, "invalid revision id '" + std::string(line.value) +
                                  "'; use letters, digits, '.', '-' and '_', not base/head/heads");
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

    if (where == Where::header) {
        fail(0, "no '-- migrate:up' section; add a '-- migrate:up' line followed by the SQL");
    } else if (!have_parents) {
        fail(up_marker_line, "missing '-- parents:' directive before '-- migrate:up'; write "
                             "'-- parents: base' for a first revision");
    }
    if (!have_revision) {
        if (is_valid_id(default_id)) {
            m.id = default_id;
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
