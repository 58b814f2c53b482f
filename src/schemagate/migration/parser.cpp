#include <schemagate/migration/parser.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <optional>

#include <schemagate/util/duration.hpp>
#include <schemagate/util/strings.hpp>

namespace schemagate::migration {

namespace {

constexpr std::array<std::string_view, 7> k_directives = {
    "parents",      "revision",          "message",     "transaction",
    "lock-timeout", "statement-timeout", "lint-disable"};

enum class LineKind { blank, comment, directive, up_marker, down_marker, sql };

struct ClassifiedLine {
    LineKind kind = LineKind::blank;
    std::string key;
    std::string value;
};

bool is_key_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
}

ClassifiedLine classify(std::string_view line) {
    const std::string_view t = util::trim(line);
    if (t.empty()) {
        return {LineKind::blank, {}, {}};
    }
    if (t.substr(0, 2) != "--") {
        return {LineKind::sql, {}, {}};
    }
    const std::string_view body = util::trim(t.substr(2));
    const std::string lowered = util::to_lower(body);
    if (lowered == "migrate:up") {
        return {LineKind::up_marker, {}, {}};
    }
    if (lowered == "migrate:down") {
        return {LineKind::down_marker, {}, {}};
    }
    std::size_t i = 0;
    if (!body.empty() && std::isalpha(static_cast<unsigned char>(body[0])) != 0) {
        while (i < body.size() && is_key_char(body[i])) {
            ++i;
        }
        if (i < body.size() && body[i] == ':') {
            return {LineKind::directive, util::to_lower(body.substr(0, i)),
                    std::string(util::trim(body.substr(i + 1)))};
        }
    }
    return {LineKind::comment, {}, {}};
}

} // namespace

bool is_reserved_id(std::string_view id) {
    const std::string lowered = util::to_lower(id);
    return lowered == "base" || lowered == "head" || lowered == "heads";
}

bool is_valid_id(std::string_view id) {
    if (id.empty() || is_reserved_id(id)) {
        return false;
    }
    if (std::isalnum(static_cast<unsigned char>(id[0])) == 0) {
        return false;
    }
    for (char c : id) {
        if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '.' && c != '-' && c != '_') {
            return false;
        }
    }
    return true;
}

tl::expected<Migration, std::vector<Diagnostic>> parse_migration(const std::filesystem::path& path,
                                                                 std::string_view text) {
    std::vector<Diagnostic> problems;
    const std::string shown = path.string();
    auto fail = [&](std::size_t line, const std::string& what) {
        problems.push_back(
            {(line == 0 ? shown : shown + ":" + std::to_string(line)) + ": " + what});
    };

    Migration m;
    m.path = path;
    const std::string stem = path.stem().string();
    const std::size_t underscore = stem.find('_');
    std::string default_id = stem.substr(0, underscore);
    std::string slug = underscore == std::string::npos ? "" : stem.substr(underscore + 1);
    for (char& c : slug) {
        if (c == '_') {
            c = ' ';
        }
    }

    enum class Where { header, up, down } where = Where::header;
    std::map<std::string, std::size_t> seen; // directive -> line
    std::optional<std::string> revision;
    std::optional<std::string> message;
    bool have_parents = false;
    std::size_t up_marker_line = 0;
    std::size_t line_no = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t nl = text.find('\n', pos);
        const std::size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
        const std::string_view raw = text.substr(pos, end - pos);
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
            m.up.first_line = line_no;
            continue;
        }
        if (line.kind == LineKind::down_marker) {
            if (where == Where::header) {
                fail(line_no, "'-- migrate:down' before '-- migrate:up'; put the up section first");
            } else if (where == Where::down) {
                fail(line_no, "a second '-- migrate:down' marker; a file holds one revision");
            } else {
                where = Where::down;
                m.down = Section{{}, line_no};
            }
            continue;
        }
        if (where == Where::up) {
            m.up.sql.append(raw);
            continue;
        }
        if (where == Where::down) {
            m.down->sql.append(raw);
            continue;
        }

        // The header: directives, comments and blank lines only.
        if (line.kind == LineKind::sql) {
            fail(line_no, "SQL before the '-- migrate:up' marker; move it under '-- migrate:up'");
            continue;
        }
        if (line.kind != LineKind::directive) {
            continue;
        }
        if (std::find(k_directives.begin(), k_directives.end(), line.key) == k_directives.end()) {
            fail(line_no, "unknown directive '" + line.key +
                              "'; known directives are parents, revision, message, transaction, "
                              "lock-timeout, statement-timeout and lint-disable (reword a plain "
                              "comment so it has no 'word:' prefix)");
            continue;
        }
        if (auto it = seen.find(line.key); it != seen.end()) {
            fail(line_no, "directive '" + line.key + "' repeated (first on line " +
                              std::to_string(it->second) + ")");
            continue;
        }
        seen[line.key] = line_no;
        if (line.key == "parents") {
            have_parents = true;
            m.parents_line = line_no;
            const auto parts = util::split_trimmed(line.value, ',');
            const bool is_base = parts.size() == 1 && util::to_lower(parts[0]) == "base";
            if (!is_base) {
                for (const auto& p : parts) {
                    if (!is_valid_id(p)) {
                        fail(line_no, "invalid parent '" + p +
                                          "' in 'parents'; list revision ids separated by "
                                          "commas, or write 'base' for a first revision");
                    } else if (std::find(m.parents.begin(), m.parents.end(), p) !=
                               m.parents.end()) {
                        fail(line_no, "parent '" + p + "' listed twice in 'parents'");
                    } else {
                        m.parents.push_back(p);
                    }
                }
            }
        } else if (line.key == "revision") {
            m.revision_line = line_no;
            if (!is_valid_id(line.value)) {
                fail(line_no, "invalid revision id '" + line.value +
                                  "'; use letters, digits, '.', '-' and '_', not base/head/heads");
            } else {
                revision = line.value;
            }
        } else if (line.key == "message") {
            message = line.value;
        } else if (line.key == "lock-timeout" || line.key == "statement-timeout") {
            auto d = util::parse_duration(line.value);
            if (!d) {
                fail(line_no, "'" + line.key + "': " + d.error());
            } else {
                (line.key == "lock-timeout" ? m.lock_timeout : m.statement_timeout) = *d;
            }
        } else if (line.key == "lint-disable") {
            for (const auto& rule : util::split_trimmed(line.value, ',')) {
                if (rule.empty()) {
                    fail(line_no, "empty rule id in 'lint-disable'; list rule ids separated by "
                                  "commas, e.g. SG101, SG104");
                } else {
                    m.lint_disable.push_back(rule);
                }
            }
        } else if (line.key == "transaction") {
            if (util::to_lower(line.value) != "none") {
                fail(line_no, "invalid 'transaction: " + line.value +
                                  "'; the only value is 'none' (omit the directive to run each "
                                  "section in one transaction)");
            } else {
                m.transaction = TransactionMode::none;
            }
        }
    }

    if (where == Where::header) {
        fail(0, "no '-- migrate:up' section; add a '-- migrate:up' line followed by the SQL");
    } else if (!have_parents) {
        fail(up_marker_line, "missing '-- parents:' directive before '-- migrate:up'; write "
                             "'-- parents: base' for a first revision");
    }
    if (revision) {
        m.id = *revision;
    } else if (is_valid_id(default_id)) {
        m.id = default_id;
    } else {
        fail(0, "cannot take a revision id from the file name; name the file "
                "<revision>_<slug>.sql or add a '-- revision:' directive");
    }
    m.message = message.value_or(slug);
    if (!problems.empty()) {
        return tl::unexpected(std::move(problems));
    }
    m.checksum = checksum_of(m.up.sql);
    return m;
}

} // namespace schemagate::migration
