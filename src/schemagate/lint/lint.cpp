#include <schemagate/lint/lint.hpp>

#include <algorithm>
#include <array>
#include <initializer_list>
#include <optional>
#include <set>

#include <schemagate/lint/sql_tokens.hpp>
#include <schemagate/migration/sql_splitter.hpp>
#include <schemagate/util/strings.hpp>

namespace schemagate::lint {

namespace {

using migration::Migration;

const std::vector<Rule> k_rules = {
    {"SG100", Severity::error, Disable::never,
     "a '-- lint-disable' directive names an unknown rule id, or a rule that is always on"},
    {"SG101", Severity::error, Disable::allowed,
     "an index built without CONCURRENTLY on an existing table (CREATE INDEX, or ADD UNIQUE, "
     "PRIMARY KEY or EXCLUDE constraints)"},
    {"SG102", Severity::error, Disable::allowed,
     "ADD COLUMN ... NOT NULL without a DEFAULT, or SET NOT NULL, on an existing table"},
    {"SG103", Severity::error, Disable::allowed,
     "a table rewrite: ALTER COLUMN ... TYPE (except to text or varchar), or ADD COLUMN with a "
     "volatile default, serial, identity or stored generated column"},
    {"SG104", Severity::error, Disable::allowed,
     "a FOREIGN KEY or CHECK constraint (ADD CONSTRAINT, or inline in ADD COLUMN) added to an "
     "existing table without NOT VALID"},
    {"SG105", Severity::error, Disable::allowed,
     "a table or column rename, which breaks the app version still running"},
    {"SG106", Severity::warning, Disable::allowed,
     "DROP TABLE or DROP COLUMN, which breaks the app version still running if it uses them"},
    {"SG107", Severity::error, Disable::allowed,
     "a statement that cannot run inside a transaction block (or BEGIN/COMMIT) in a "
     "transactional file"},
    {"SG108", Severity::error, Disable::never, "a section that cannot be split into statements"},
    {"SG109", Severity::error, Disable::never,
     "BEGIN, COMMIT or other transaction control in a 'transaction: none' file"},
};

std::string to_upper_ascii(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'a' && c <= 'z') {
            c = static_cast<char>(c - 'a' + 'A');
        }
    }
    return out;
}

// A relation name as written: unquoted parts folded to lowercase, quoted parts kept.
struct Name {
    std::string schema; // empty when unqualified
    std::string relation;
};

std::string display(const Name& n) {
    return n.schema.empty() ? n.relation : n.schema + "." + n.relation;
}

// An unqualified name matches the same name in any schema: lint cannot see search_path.
bool same_relation(const Name& a, const Name& b) {
    return a.relation == b.relation &&
           (a.schema.empty() || b.schema.empty() || a.schema == b.schema);
}

// A statement's tokens, with each token's parenthesis depth (a '(' has the depth outside it).
struct Tokens {
    std::vector<Token> tokens;
    std::vector<std::size_t> depth;

    explicit Tokens(std::string_view sql) : tokens(tokenize(sql)) {
        depth.reserve(tokens.size());
        std::size_t d = 0;
        for (const auto& t : tokens) {
            const bool punct = t.kind == TokenKind::punctuation;
            if (punct && t.text == ")" && d > 0) {
                --d;
            }
            depth.push_back(d);
            if (punct && t.text == "(") {
                ++d;
            }
        }
    }

    bool is_word(std::size_t i, std::string_view kw) const {
        return i < tokens.size() && tokens[i].kind == TokenKind::word && tokens[i].text == kw;
    }
    bool is_punct(std::size_t i, std::string_view p) const {
        return i < tokens.size() && tokens[i].kind == TokenKind::punctuation && tokens[i].text == p;
    }
};

// A forward reader over tokens [begin, end) of a statement.
class Cursor {
public:
    Cursor(const Tokens& t, std::size_t begin, std::size_t end)
        : m_t(t), m_pos(begin), m_begin(begin), m_end(end) {}

    bool done() const { return m_pos >= m_end; }
    std::size_t pos() const { return m_pos; }
    std::size_t end() const { return m_end; }

    bool word(std::string_view kw, std::size_t ahead = 0) const {
        return m_pos + ahead < m_end && m_t.is_word(m_pos + ahead, kw);
    }
    bool punct(std::string_view p, std::size_t ahead = 0) const {
        return m_pos + ahead < m_end && m_t.is_punct(m_pos + ahead, p);
    }
    bool accept(std::string_view kw) {
        if (word(kw)) {
            ++m_pos;
            return true;
        }
        return false;
    }
    // Accepts the whole sequence of keywords or nothing.
    bool accept(std::initializer_list<std::string_view> kws) {
        std::size_t ahead = 0;
        for (const auto kw : kws) {
            if (!word(kw, ahead)) {
                return false;
            }
            ++ahead;
        }
        m_pos += ahead;
        return true;
    }
    bool accept_punct(std::string_view p) {
        if (punct(p)) {
            ++m_pos;
            return true;
        }
        return false;
    }

    bool at_identifier(std::size_t ahead = 0) const {
        if (m_pos + ahead >= m_end) {
            return false;
        }
        const auto kind = m_t.tokens[m_pos + ahead].kind;
        return kind == TokenKind::word || kind == TokenKind::quoted_identifier;
    }
    std::optional<std::string> identifier() {
        if (!at_identifier()) {
            return std::nullopt;
        }
        return m_t.tokens[m_pos++].text;
    }
    // [catalog.][schema.]relation
    std::optional<Name> name() {
        auto first = identifier();
        if (!first) {
            return std::nullopt;
        }
        std::vector<std::string> parts{*first};
        while (punct(".") && at_identifier(1)) {
            ++m_pos;
            parts.push_back(*identifier());
        }
        Name n;
        n.relation = parts.back();
        if (parts.size() >= 2) {
            n.schema = parts[parts.size() - 2];
        }
        return n;
    }

    // Whether the keyword sequence occurs at the cursor's top level (depth of its first token)
    // anywhere in [begin, end).
    bool contains(std::initializer_list<std::string_view> kws) const {
        return find(kws).has_value();
    }
    std::optional<std::size_t> find(std::initializer_list<std::string_view> kws,
                                    std::optional<std::size_t> from = std::nullopt) const {
        const std::size_t top = m_begin < m_end ? m_t.depth[m_begin] : 0;
        for (std::size_t i = from.value_or(m_begin); i < m_end; ++i) {
            if (m_t.depth[i] != top) {
                continue;
            }
            std::size_t k = 0;
            bool all = true;
            for (const auto kw : kws) {
                if (i + k >= m_end || !m_t.is_word(i + k, kw)) {
                    all = false;
                    break;
                }
                ++k;
            }
            if (all) {
                return i;
            }
        }
        return std::nullopt;
    }
    void seek(std::size_t pos) { m_pos = std::min(pos, m_end); }
    // Skips the parenthesized group at the cursor, if there is one.
    void skip_group() {
        if (!punct("(")) {
            return;
        }
        const std::size_t outer = m_t.depth[m_pos];
        ++m_pos;
        while (m_pos < m_end && !(m_t.is_punct(m_pos, ")") && m_t.depth[m_pos] == outer)) {
            ++m_pos;
        }
        m_pos = std::min(m_pos + 1, m_end);
    }

private:
    const Tokens& m_t;
    std::size_t m_pos;
    std::size_t m_begin;
    std::size_t m_end;
};

// Functions whose value differs per row, so a DEFAULT calling them forces a table rewrite.
bool is_volatile_function(std::string_view name) {
    static constexpr std::array<std::string_view, 10> k_volatile = {
        "random",           "random_normal",    "gen_random_uuid",
        "gen_random_bytes", "uuid_generate_v1", "uuid_generate_v1mc",
        "uuid_generate_v4", "clock_timestamp",  "timeofday",
        "nextval"};
    return std::find(k_volatile.begin(), k_volatile.end(), name) != k_volatile.end();
}

bool is_serial_type(std::string_view type) {
    static constexpr std::array<std::string_view, 6> k_serial = {
        "serial", "serial4", "bigserial", "serial8", "smallserial", "serial2"};
    return std::find(k_serial.begin(), k_serial.end(), type) != k_serial.end();
}

// Words that start a column constraint; they end a DEFAULT expression at top level.
bool starts_column_constraint(const Tokens& t, std::size_t i) {
    static constexpr std::array<std::string_view, 10> k_words = {
        "constraint", "not",        "null",   "check",   "default",
        "generated",  "references", "unique", "primary", "collate"};
    return t.tokens[i].kind == TokenKind::word &&
           std::find(k_words.begin(), k_words.end(), t.tokens[i].text) != k_words.end();
}

// Reads tokens back as SQL for messages: one space between words, none around punctuation.
std::string spell(const Tokens& t, std::size_t begin, std::size_t end) {
    std::string out;
    for (std::size_t i = begin; i < end; ++i) {
        const Token& tok = t.tokens[i];
        const bool punct = tok.kind == TokenKind::punctuation;
        const bool prev_open = i > begin && (t.is_punct(i - 1, "(") || t.is_punct(i - 1, "."));
        if (!out.empty() && !punct && !prev_open) {
            out += ' ';
        }
        out += tok.kind == TokenKind::quoted_identifier ? "\"" + tok.text + "\"" : tok.text;
    }
    return out;
}

// What the statement at `t` is, when it cannot run in a transaction block, or is
// transaction control that would end schemagate's own transaction.
struct NonTransactional {
    std::string what;
    bool transaction_control = false;
};

std::optional<NonTransactional> non_transactional(const Tokens& t) {
    Cursor c(t, 0, t.tokens.size());
    auto found = [](std::string what) { return NonTransactional{std::move(what), false}; };
    auto control = [](std::string what) { return NonTransactional{std::move(what), true}; };
    if (c.accept("create")) {
        c.accept("unique");
        if (c.accept("index")) {
            return c.word("concurrently") ? std::optional(found("CREATE INDEX CONCURRENTLY"))
                                          : std::nullopt;
        }
        if (c.word("database")) {
            return found("CREATE DATABASE");
        }
        if (c.word("tablespace")) {
            return found("CREATE TABLESPACE");
        }
        if (c.word("subscription")) {
            // Only creating the replication slot (the default) is refused in a transaction.
            // The option sits inside WITH (...), so look at every depth.
            for (std::size_t i = 0; i < t.tokens.size(); ++i) {
                const std::size_t value = i + (t.is_punct(i + 1, "=") ? 2 : 1);
                if (t.is_word(i, "create_slot") &&
                    (t.is_word(value, "false") || t.is_word(value, "off"))) {
                    return std::nullopt;
                }
            }
            return found("CREATE SUBSCRIPTION");
        }
        return std::nullopt;
    }
    if (c.accept("drop")) {
        if (c.accept("index")) {
            return c.word("concurrently") ? std::optional(found("DROP INDEX CONCURRENTLY"))
                                          : std::nullopt;
        }
        if (c.word("database")) {
            return found("DROP DATABASE");
        }
        if (c.word("tablespace")) {
            return found("DROP TABLESPACE");
        }
        return std::nullopt;
    }
    if (c.accept("reindex")) {
        // REINDEX (CONCURRENTLY) TABLE t is the PostgreSQL 14 spelling of the option.
        for (std::size_t i = 1; i < t.tokens.size(); ++i) {
            if (t.is_word(i, "concurrently")) {
                return found("REINDEX CONCURRENTLY");
            }
        }
        c.skip_group();
        if (c.word("system") || c.word("database")) {
            return found("REINDEX " + to_upper_ascii(t.tokens[c.pos()].text));
        }
        return std::nullopt;
    }
    if (c.word("vacuum")) {
        return found("VACUUM");
    }
    if (c.accept({"alter", "system"})) {
        return found("ALTER SYSTEM");
    }
    if (c.accept({"alter", "database"})) {
        return c.contains({"set", "tablespace"})
                   ? std::optional(found("ALTER DATABASE ... SET TABLESPACE"))
                   : std::nullopt;
    }
    if (c.accept({"alter", "subscription"})) {
        return c.contains({"refresh", "publication"})
                   ? std::optional(found("ALTER SUBSCRIPTION ... REFRESH PUBLICATION"))
                   : std::nullopt;
    }
    if (c.accept({"alter", "table"})) {
        if (auto at = c.find({"detach", "partition"}); at && c.find({"concurrently"}, *at)) {
            return found("ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY");
        }
        return std::nullopt;
    }
    if (c.accept("cluster")) {
        // CLUSTER without a table reclusters every table, one transaction each.
        c.accept("verbose");
        c.skip_group();
        c.accept("verbose");
        return c.done() ? std::optional(found("CLUSTER without a table")) : std::nullopt;
    }
    if (c.accept({"discard", "all"})) {
        return found("DISCARD ALL");
    }
    // ROLLBACK TO SAVEPOINT, SAVEPOINT and RELEASE work inside schemagate's transaction.
    const bool ends = c.word("begin") || c.word("commit") || c.word("end") || c.word("abort") ||
                      (c.word("rollback") && !c.word("to", 1));
    const bool two_words = (c.word("start") || c.word("prepare")) && c.word("transaction", 1);
    if (ends || two_words) {
        return control(to_upper_ascii(spell(t, 0, two_words ? 2 : 1)));
    }
    return std::nullopt;
}

class Linter {
public:
    Linter(const Migration& m, std::vector<Finding>& out) : m_m(m), m_out(out) {}

    void section(const migration::Section& s, std::string_view name, bool up) {
        auto statements = migration::split_sql(m_m.sql(s));
        m_section = std::string(name);
        if (!statements) {
            report("SG108", s.first_line + statements.error().line,
                   "the " + m_section +
                       " section cannot be split into statements: " + statements.error().message,
                   "close it; upgrade refuses this file too");
            return;
        }
        for (const auto& st : *statements) {
            m_line = s.first_line + st.line;
            const Tokens t(st.text);
            if (t.tokens.empty()) {
                continue;
            }
            if (m_m.transaction == migration::TransactionMode::per_section) {
                transaction_rule(t);
            } else {
                autocommit_rule(t);
            }
            if (up) {
                up_rules(t);
            }
        }
    }

    void report(std::string_view rule, std::size_t line, std::string message, std::string hint) {
        const Rule* r = find_rule(rule);
        m_out.push_back(Finding{std::string(rule), r->severity, m_m.id, m_m.path.string(), line,
                                m_section, std::move(message), std::move(hint)});
    }

private:
    void report(std::string_view rule, std::string message, std::string hint) {
        report(rule, m_line, std::move(message), std::move(hint));
    }

    void transaction_rule(const Tokens& t) {
        const auto nt = non_transactional(t);
        if (!nt) {
            return;
        }
        if (nt->transaction_control) {
            report("SG107",
                   nt->what + " in a transactional file ends or nests the transaction "
                              "schemagate runs this section in, so it no longer applies or "
                              "rolls back as one",
                   "remove it: schemagate commits each section itself; use '-- transaction: "
                   "none' to run statements one by one");
            return;
        }
        report("SG107",
               nt->what + " cannot run inside a transaction block, and this file runs "
                          "each section in one",
               "move it to a revision of its own with '-- transaction: none'");
    }

    // In a `transaction: none` file each statement must commit on its own: after a BEGIN the
    // next statements would run in one block, and after a failure in it schemagate could not
    // record how far the step got (the aborted block refuses every statement until its end).
    void autocommit_rule(const Tokens& t) {
        const auto nt = non_transactional(t);
        if (!nt || !nt->transaction_control) {
            return;
        }
        report("SG109",
               nt->what + " in a 'transaction: none' file makes the next statements run in a "
                          "transaction block, so schemagate could no longer record each one and "
                          "resume after a failure",
               "remove it; to run statements as one transaction, drop '-- transaction: none' "
               "and let schemagate open the transaction");
    }

    bool is_new(const Name& n) const {
        return std::any_of(m_new_tables.begin(), m_new_tables.end(),
                           [&](const Name& x) { return same_relation(x, n); });
    }

    void up_rules(const Tokens& t) {
        Cursor c(t, 0, t.tokens.size());
        if (c.accept("create")) {
            create(c);
        } else if (c.accept({"alter", "table"})) {
            alter_table(t, c);
        } else if (c.accept({"drop", "table"})) {
            drop_table(c);
        }
    }

    void create(Cursor& c) {
        c.accept({"or", "replace"});
        if (!c.accept("global")) {
            c.accept("local");
        }
        if (!c.accept("temporary") && !c.accept("temp")) {
            c.accept("unlogged");
        }
        if (c.accept("table") || c.accept({"materialized", "view"})) {
            c.accept({"if", "not", "exists"});
            if (auto n = c.name()) {
                m_new_tables.push_back(*n);
            }
            return;
        }
        c.accept("unique");
        if (!c.accept("index") || c.word("concurrently")) {
            return;
        }
        const auto on = c.find({"on"}, c.pos());
        if (!on) {
            return;
        }
        c.seek(*on + 1);
        // ON ONLY names a partitioned table's parent: it builds nothing, each partition's
        // index is built (CONCURRENTLY) and attached separately.
        if (c.accept("only")) {
            return;
        }
        const auto table = c.name();
        if (!table || is_new(*table)) {
            return;
        }
        report("SG101",
               "CREATE INDEX without CONCURRENTLY on existing table " + display(*table) +
                   " blocks every write to it until the index is built",
               "use CREATE INDEX CONCURRENTLY in a revision of its own with '-- transaction: "
               "none'");
    }

    void alter_table(const Tokens& t, Cursor& c) {
        if (c.word("all") && c.word("in", 1)) {
            return; // ALTER TABLE ALL IN TABLESPACE: moves tables, no rule covers it
        }
        c.accept({"if", "exists"});
        c.accept("only");
        const auto table = c.name();
        if (!table) {
            return;
        }
        c.accept_punct("*");
        const bool fresh = is_new(*table);
        // Actions are separated by top-level commas.
        std::size_t begin = c.pos();
        for (std::size_t i = begin; i <= t.tokens.size(); ++i) {
            if (i == t.tokens.size() || (t.is_punct(i, ",") && t.depth[i] == 0)) {
                Cursor action(t, begin, i);
                alter_action(t, *table, fresh, action);
                begin = i + 1;
            }
        }
    }

    void alter_action(const Tokens& t, const Name& table, bool fresh, Cursor& a) {
        if (a.accept("rename")) {
            if (a.accept("constraint")) {
                return;
            }
            if (a.accept("to")) {
                const auto to = a.name();
                if (fresh) {
                    if (to) {
                        m_new_tables.push_back(Name{table.schema, to->relation});
                    }
                    return;
                }
                report("SG105",
                       "renaming table " + display(table) +
                           (to ? " to " + display(*to) : std::string()) +
                           " breaks the app version still running, which uses the old name",
                       "expand and contract: create the new table (or a view with the new name), "
                       "move the app over, drop the old one in a later release");
                return;
            }
            a.accept("column");
            const auto column = a.identifier();
            if (fresh || !column) {
                return;
            }
            report("SG105",
                   "renaming column " + display(table) + "." + *column +
                       " breaks the app version still running, which uses the old name",
                   "expand and contract: add the new column, write both, backfill, switch reads, "
                   "drop the old one in a later release");
            return;
        }
        if (fresh) {
            return;
        }
        if (a.accept("add")) {
            if (a.word("constraint") || a.word("check") || a.word("foreign") || a.word("unique") ||
                a.word("primary") || a.word("exclude")) {
                add_constraint(table, a);
            } else {
                add_column(t, table, a);
            }
        } else if (a.accept("alter")) {
            if (a.word("constraint")) {
                return;
            }
            a.accept("column");
            const auto column = a.identifier();
            if (!column) {
                return;
            }
            if (a.accept({"set", "data", "type"}) || a.accept("type")) {
                type_change(t, table, *column, a);
            } else if (a.accept({"set", "not", "null"})) {
                report("SG102",
                       "SET NOT NULL on " + display(table) + "." + *column +
                           " scans the whole table under an ACCESS EXCLUSIVE lock",
                       "add CHECK (" + *column +
                           " IS NOT NULL) NOT VALID, VALIDATE it in a later revision, then SET "
                           "NOT NULL, which PostgreSQL 12+ proves from the check without a scan");
            }
        } else if (a.accept("drop")) {
            if (a.word("constraint")) {
                return;
            }
            a.accept("column");
            a.accept({"if", "exists"});
            if (const auto column = a.identifier()) {
                report("SG106",
                       "dropping column " + display(table) + "." + *column +
                           " breaks the app version still running if it reads or writes it",
                       "drop it only once a release that no longer uses it is everywhere, then "
                       "add '-- lint-disable: SG106' to this file");
            }
        }
    }

    void add_constraint(const Name& table, Cursor& a) {
        std::string name;
        if (a.accept("constraint")) {
            name = a.identifier().value_or("");
        }
        const std::string what =
            "constraint " + (name.empty() ? std::string() : name + " ") + "on existing table ";
        const bool not_valid = a.contains({"not", "valid"});
        if (a.word("check") || a.word("foreign")) {
            if (not_valid) {
                return;
            }
            const bool fk = a.word("foreign");
            report("SG104",
                   std::string(fk ? "FOREIGN KEY " : "CHECK ") + what + display(table) +
                       " without NOT VALID scans the whole table under a lock that blocks " +
                       (fk ? "writes" : "reads and writes"),
                   "add it with NOT VALID, then VALIDATE CONSTRAINT in a later revision");
            return;
        }
        if (a.word("exclude")) {
            report("SG101",
                   "EXCLUDE " + what + display(table) +
                       " builds its index under an ACCESS EXCLUSIVE lock",
                   "build it when the table is small or traffic is stopped, and say so with "
                   "'-- lint-disable: SG101'");
            return;
        }
        // UNIQUE or PRIMARY KEY: fine when it adopts an index built beforehand.
        if (a.contains({"using", "index"})) {
            return;
        }
        const std::string kind = a.word("unique") ? "UNIQUE " : "PRIMARY KEY ";
        report("SG101",
               kind + what + display(table) + " builds its index under an ACCESS EXCLUSIVE lock",
               "CREATE UNIQUE INDEX CONCURRENTLY first ('-- transaction: none'), then ADD "
               "CONSTRAINT ... " +
                   kind + "USING INDEX");
    }

    void add_column(const Tokens& t, const Name& table, Cursor& a) {
        a.accept("column");
        a.accept({"if", "not", "exists"});
        const auto column = a.identifier();
        if (!column || a.done()) {
            return;
        }
        const std::string where = display(table) + "." + *column;
        const std::size_t type_at = a.pos();
        const bool serial =
            t.tokens[type_at].kind == TokenKind::word && is_serial_type(t.tokens[type_at].text);
        bool not_null = false;
        bool has_default = false;
        bool identity = false;
        bool stored = false;
        bool references = false;
        bool check = false;
        bool index = false;
        std::string volatile_call;
        for (std::size_t i = type_at; i < a.end(); ++i) {
            if (t.depth[i] != 0 || t.tokens[i].kind != TokenKind::word) {
                continue;
            }
            const std::string& w = t.tokens[i].text;
            if (w == "not" && t.is_word(i + 1, "null")) {
                not_null = true;
            } else if (w == "primary" && t.is_word(i + 1, "key")) {
                not_null = true;
                index = true;
            } else if (w == "unique") {
                index = true;
            } else if (w == "references") {
                references = true;
            } else if (w == "check") {
                check = true;
            } else if (w == "generated") {
                for (std::size_t j = i + 1; j < a.end(); ++j) {
                    identity = identity || t.is_word(j, "identity");
                    stored = stored || t.is_word(j, "stored");
                }
            } else if (w == "default") {
                has_default = true;
                for (std::size_t j = i + 1; j < a.end(); ++j) {
                    if (t.depth[j] == 0 && starts_column_constraint(t, j)) {
                        break;
                    }
                    if (t.tokens[j].kind == TokenKind::word && t.is_punct(j + 1, "(") &&
                        is_volatile_function(t.tokens[j].text)) {
                        volatile_call = t.tokens[j].text + "()";
                        break;
                    }
                }
            }
        }
        const bool fills_itself = has_default || serial || identity || stored;
        if (not_null && !fills_itself) {
            report("SG102",
                   "ADD COLUMN " + where +
                       " NOT NULL without a DEFAULT fails on a table with rows, and breaks "
                       "inserts from the app version still running",
                   "add it with a constant DEFAULT, or nullable: backfill, then SET NOT NULL in "
                   "a later revision");
        }
        std::string rewrite;
        if (!volatile_call.empty()) {
            rewrite = "a volatile DEFAULT " + volatile_call;
        } else if (serial) {
            rewrite = "type " + t.tokens[type_at].text;
        } else if (identity) {
            rewrite = "GENERATED ... AS IDENTITY";
        } else if (stored) {
            rewrite = "GENERATED ... STORED";
        }
        if (!rewrite.empty()) {
            report("SG103",
                   "ADD COLUMN " + where + " with " + rewrite +
                       " rewrites the whole table under an ACCESS EXCLUSIVE lock",
                   "add it without a default (or with a constant one), backfill in batches, "
                   "then set the default");
        }
        if (references || check) {
            const std::string kind = references ? "REFERENCES" : "CHECK";
            report("SG104",
                   "ADD COLUMN " + where + " with an inline " + kind +
                       " validates it by scanning the whole table under a lock",
                   "add the column bare, then ADD CONSTRAINT ... " +
                       std::string(references ? "FOREIGN KEY" : "CHECK") +
                       " ... NOT VALID, and VALIDATE CONSTRAINT in a later revision");
        }
        if (index) {
            report("SG101",
                   "ADD COLUMN " + where +
                       " with UNIQUE or PRIMARY KEY builds an index under an ACCESS EXCLUSIVE "
                       "lock",
                   "add the column bare, CREATE UNIQUE INDEX CONCURRENTLY ('-- transaction: "
                   "none'), then ADD CONSTRAINT ... USING INDEX");
        }
    }

    // varchar(n) -> text, varchar(n) -> varchar(m > n) and varchar -> text are binary
    // coercible and rewrite nothing. Lint cannot see the old type, so a change to text or
    // varchar without USING is taken to be one of these; anything else is reported.
    void type_change(const Tokens& t, const Name& table, const std::string& column, Cursor& a) {
        const std::size_t type_at = a.pos();
        Cursor rest = a;
        bool safe = false;
        if (rest.accept("text")) {
            safe = rest.done();
        } else if (rest.accept("varchar") || rest.accept({"character", "varying"})) {
            rest.skip_group();
            safe = rest.done();
        }
        if (safe) {
            return;
        }
        std::size_t type_end = a.end();
        if (const auto using_at = a.find({"using"}, type_at)) {
            type_end = *using_at;
        }
        if (const auto collate_at = a.find({"collate"}, type_at)) {
            type_end = std::min(type_end, *collate_at);
        }
        report("SG103",
               "changing the type of " + display(table) + "." + column + " to " +
                   spell(t, type_at, type_end) +
                   " rewrites the whole table under an ACCESS EXCLUSIVE lock",
               "add a column of the new type, backfill it in batches, switch the app over, then "
               "drop the old one; only changes to text or varchar without USING are exempt");
    }

    void drop_table(Cursor& c) {
        c.accept({"if", "exists"});
        while (auto n = c.name()) {
            if (!is_new(*n)) {
                report("SG106",
                       "dropping table " + display(*n) +
                           " breaks the app version still running if it reads or writes it",
                       "drop it only once a release that no longer uses it is everywhere, then "
                       "add '-- lint-disable: SG106' to this file");
            }
            if (!c.accept_punct(",")) {
                break;
            }
        }
    }

    const Migration& m_m;
    std::vector<Finding>& m_out;
    std::string m_section;
    std::size_t m_line = 0;
    std::vector<Name> m_new_tables; // created earlier in this file's up section
};

} // namespace

std::string_view to_string(Severity s) {
    return s == Severity::error ? "error" : "warning";
}

const std::vector<Rule>& rules() {
    return k_rules;
}

const Rule* find_rule(std::string_view id) {
    const std::string upper = to_upper_ascii(id);
    for (const auto& r : k_rules) {
        if (r.id == upper) {
            return &r;
        }
    }
    return nullptr;
}

std::string format(const Finding& f) {
    std::string out = f.line == 0 ? f.file : f.file + ":" + std::to_string(f.line);
    out += ": " + f.rule + " " + std::string(to_string(f.severity)) + ": " + f.message;
    if (!f.hint.empty()) {
        out += " (" + f.hint + ")";
    }
    return out;
}

std::vector<Finding> lint_migration(const Migration& m) {
    std::vector<Finding> out;
    Linter linter(m, out);
    std::set<std::string> disabled;
    for (const auto& id : m.lint_disable) {
        const Rule* rule = find_rule(id);
        if (rule == nullptr) {
            linter.report("SG100", 0,
                          "'-- lint-disable' names unknown rule '" + id +
                              "', so it disables nothing",
                          "`schemagate lint --rules` lists the rule ids");
        } else if (rule->disable == Disable::never) {
            linter.report("SG100", 0,
                          "'-- lint-disable' names rule " + std::string(rule->id) +
                              ", which cannot be disabled",
                          "remove it from the directive and fix what it reports");
        } else {
            disabled.insert(std::string(rule->id));
        }
    }
    linter.section(m.up, "up", true);
    if (m.down) {
        linter.section(*m.down, "down", false);
    }
    std::erase_if(out, [&](const Finding& f) { return disabled.count(f.rule) != 0; });
    return out;
}

bool waits_without_blocking(std::string_view statement) {
    const Tokens t(statement);
    return std::any_of(t.tokens.begin(), t.tokens.end(), [](const Token& tok) {
        return tok.kind == TokenKind::word && tok.text == "concurrently";
    });
}

std::optional<migration::ConcurrentIndex> concurrent_index(std::string_view statement) {
    const Tokens t(statement);
    Cursor c(t, 0, t.tokens.size());
    migration::ConcurrentIndex out;
    if (c.accept("create")) {
        c.accept("unique");
        if (!c.accept({"index", "concurrently"})) {
            return std::nullopt;
        }
        c.accept({"if", "not", "exists"});
        out.kind = migration::ConcurrentIndex::Kind::create;
    } else if (c.accept({"drop", "index", "concurrently"})) {
        c.accept({"if", "exists"});
        out.kind = migration::ConcurrentIndex::Kind::drop;
    } else {
        return std::nullopt;
    }
    // CREATE INDEX CONCURRENTLY ON t (...) names no index: PostgreSQL picks the name.
    if (out.kind == migration::ConcurrentIndex::Kind::create && c.word("on")) {
        return std::nullopt;
    }
    // A name, perhaps schema-qualified.
    auto identifier = [&](std::size_t i) -> std::optional<std::string> {
        if (i >= t.tokens.size()) {
            return std::nullopt;
        }
        const Token& tok = t.tokens[i];
        if (tok.kind == TokenKind::word) {
            return tok.text;
        }
        if (tok.kind == TokenKind::quoted_identifier) {
            std::string quoted = "\"";
            for (char ch : tok.text) {
                quoted += ch == '"' ? "\"\"" : std::string(1, ch);
            }
            return quoted + "\"";
        }
        return std::nullopt;
    };
    std::size_t i = c.pos();
    auto name = identifier(i);
    if (!name) {
        return std::nullopt;
    }
    if (t.is_punct(i + 1, ".")) {
        auto rest = identifier(i + 2);
        if (!rest) {
            return std::nullopt;
        }
        *name += "." + *rest;
        i += 2;
    }
    // DROP INDEX CONCURRENTLY takes one name only; anything but ON after a created index's
    // name is not a statement we understand well enough to judge.
    const bool fits = out.kind == migration::ConcurrentIndex::Kind::create
                          ? t.is_word(i + 1, "on")
                          : i + 1 == t.tokens.size() || t.is_word(i + 1, "cascade") ||
                                t.is_word(i + 1, "restrict");
    if (!fits) {
        return std::nullopt;
    }
    out.name = std::move(*name);
    return out;
}

std::vector<Finding> lint_migrations(const std::vector<const Migration*>& migrations) {
    std::vector<Finding> out;
    for (const Migration* m : migrations) {
        auto found = lint_migration(*m);
        out.insert(out.end(), std::make_move_iterator(found.begin()),
                   std::make_move_iterator(found.end()));
    }
    return out;
}

std::size_t count(const std::vector<Finding>& findings, Severity severity) {
    return static_cast<std::size_t>(
        std::count_if(findings.begin(), findings.end(),
                      [&](const Finding& f) { return f.severity == severity; }));
}

} // namespace schemagate::lint
