#include <schemagate/store/script_store.hpp>

#include <algorithm>

#include <schemagate/store/history_sql.hpp>
#include <schemagate/util/error.hpp>
#include <schemagate/util/strings.hpp>

namespace schemagate::store {

namespace {

using history_sql::bind_values;
using history_sql::quote_literal;
using migration::Direction;

// A transactional step's duration, measured where the script runs: now() is the start of the
// step's transaction. A `transaction: none` step spans several transactions and records 0.
constexpr const char* k_transaction_elapsed_ms =
    "(extract(epoch FROM clock_timestamp() - now()) * 1000)::bigint";

std::string operation(Direction d) {
    return d == Direction::up ? "upgrade" : "downgrade";
}

std::string number(std::size_t n) {
    return std::to_string(n);
}

// A dollar-quote tag that does not occur in `body`, so the body cannot end the quote early
// (identifiers in it may hold anything).
std::string dollar_tag(const std::string& body) {
    std::string tag = "$schemagate$";
    while (body.find(tag) != std::string::npos) {
        tag.insert(tag.size() - 1, "_");
    }
    return tag;
}

} // namespace

ScriptStore::ScriptStore(std::ostream& out, HistoryTable table,
                         std::vector<AppliedRevision> history, AppliedBy applied_by)
    : m_out(out), m_table(std::move(table)), m_history(std::move(history)),
      m_applied_by(applied_by) {
    for (const auto& row : m_history) {
        m_ids.insert(row.id);
    }
}

std::vector<AppliedRevision> ScriptStore::read_history(HistoryColumns /*columns*/) {
    std::vector<AppliedRevision> out;
    out.reserve(m_history.size() + m_recorded.size());
    out.insert(out.end(), m_history.begin(), m_history.end());
    for (const migration::Migration* m : m_recorded) {
        AppliedRevision& row = out.emplace_back();
        row.id = m->id;
        row.parents = m->parents;
        row.checksum = m->checksum;
        row.message = m->message;
    }
    return out;
}

void ScriptStore::hold_until_first_change(std::function<void()> before) {
    m_holding = true;
    m_before = std::move(before);
}

void ScriptStore::release() {
    if (!m_holding) {
        return;
    }
    if (m_before) {
        m_before();
    }
    m_holding = false;
    m_out << m_held;
    m_held = std::string();
}

void ScriptStore::write(std::string_view text) {
    if (m_holding) {
        m_held += text;
    } else {
        m_out << text;
    }
}

void ScriptStore::statement(const std::string& sql) {
    // A statement that ends in a line comment would swallow a semicolon on the same line.
    const std::size_t last_line = sql.rfind('\n');
    const bool ends_in_comment =
        sql.find("--", last_line == std::string::npos ? 0 : last_line) != std::string::npos;
    write(sql);
    write(ends_in_comment ? "\n;\n" : ";\n");
}

void ScriptStore::comment(const std::string& text) {
    // File names and messages go into comments: no control character may end the comment.
    std::string line = "-- ";
    for (char c : text) {
        line += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? ' ' : c;
    }
    line += '\n';
    write(line);
}

std::string ScriptStore::applied_by_sql(const std::string& given) const {
    return m_applied_by == AppliedBy::current_user ? "current_user" : quote_literal(given);
}

void ScriptStore::record_applied(const migration::Migration& m) {
    record_removed(m.id);
    m_ids.insert(m.id);
    m_recorded.push_back(&m);
}

void ScriptStore::record_removed(const std::string& id) {
    // An upgrade calls this for every revision it adds, almost always absent: answer that from
    // the set, so a plan of 10,000 revisions stays linear.
    if (m_ids.erase(id) == 0) {
        return;
    }
    m_history.erase(std::remove_if(m_history.begin(), m_history.end(),
                                   [&](const AppliedRevision& r) { return r.id == id; }),
                    m_history.end());
    m_recorded.erase(std::remove_if(m_recorded.begin(), m_recorded.end(),
                                    [&](const migration::Migration* m) { return m->id == id; }),
                     m_recorded.end());
}

void ScriptStore::ensure_tables() {
    const std::string exists = "(" + history_sql::table_exists() + ")";
    const std::string body =
        "\nBEGIN\n    IF NOT " + bind_values(exists, {quote_literal(m_table.qualified())}) +
        "\n            OR NOT " + bind_values(exists, {quote_literal(m_table.log_qualified())}) +
        " THEN\n        IF (" +
        bind_values(history_sql::count_schemas(), {quote_literal(m_table.schema)}) +
        ") = 0 THEN\n            " + history_sql::create_schema(m_table) +
        ";\n        END IF;\n        " + history_sql::create_history_table(m_table) +
        ";\n        " + history_sql::create_log_table(m_table) + ";\n    END IF;\nEND\n";
    const std::string tag = dollar_tag(body);
    comment("the history table " + m_table.display() +
            " and its audit log, created when missing as a real run does");
    statement("DO " + tag + body + tag);
    write("\n");
}

StepOutcome ScriptStore::run_step(const Step& step, const std::string& applied_by) {
    release();
    const migration::Migration& m = *step.migration;
    comment(operation(step.direction) + " " + m.id + " (parents: " +
            (m.parents.empty() ? std::string("base") : util::join(m.parents, ", ")) +
            "): " + m.message);
    comment(m.path.string());
    if (m.transaction == migration::TransactionMode::none) {
        run_autocommit(step, applied_by);
    } else {
        run_transactional(step, applied_by);
    }
    write("\n");
    return StepOutcome::ran;
}

// PgStore also sets client_connection_check_interval on servers that have it: that guards
// against schemagate itself dying mid-statement, says nothing about the migration, and would
// fail on servers before 14, so the script leaves it out.
void ScriptStore::run_transactional(const Step& step, const std::string& applied_by) {
    const migration::Migration& m = *step.migration;
    statement("BEGIN");
    for (const auto& set : history_sql::set_local_timeouts(step.timeouts)) {
        statement(set);
    }
    for (const auto& s : step.statements) {
        statement(s.text);
    }
    if (step.direction == Direction::up) {
        statement(bind_values(history_sql::record_upgrade(m_table),
                              {quote_literal(m.id), quote_literal(util::join(m.parents, ",")),
                               quote_literal(m.checksum), quote_literal(m.message),
                               k_transaction_elapsed_ms, applied_by_sql(applied_by)}));
        record_applied(m);
    } else {
        statement(bind_values(
            history_sql::record_downgrade(m_table),
            {quote_literal(m.id), k_transaction_elapsed_ms, applied_by_sql(applied_by)}));
        record_removed(m.id);
    }
    statement("COMMIT");
}

void ScriptStore::run_autocommit(const Step& step, const std::string& applied_by) {
    const migration::Migration& m = *step.migration;
    const std::string id = quote_literal(m.id);
    comment("transaction: none: each statement commits on its own, outside a transaction block;");
    comment("the history row records progress after each one, so a failure can be resumed");
    comment("with `schemagate repair " + m.id + " --resume`");
    if (step.direction == Direction::up) {
        statement(bind_values(history_sql::start_autocommit_upgrade(m_table, step.start),
                              {id, quote_literal(util::join(m.parents, ",")),
                               quote_literal(m.checksum), quote_literal(m.message),
                               applied_by_sql(applied_by), number(step.first_statement)}));
    } else {
        statement(bind_values(history_sql::start_autocommit_downgrade(m_table, step.start),
                              {id, quote_literal(operation(step.direction)),
                               number(step.first_statement), applied_by_sql(applied_by)}));
    }
    Timeouts first = step.timeouts;
    first.lock = step.lock_timeout_of(step.first_statement);
    for (const auto& set : history_sql::set_session_timeouts(first)) {
        statement(set);
    }
    for (std::size_t i = step.first_statement; i < step.statements.size(); ++i) {
        if (i > step.first_statement && step.lock_timeout_of(i) != step.lock_timeout_of(i - 1)) {
            statement(history_sql::set_session_lock_timeout(step.lock_timeout_of(i)));
        }
        statement(step.statements[i].text);
        statement(bind_values(history_sql::record_progress(m_table), {id, number(i + 1)}));
    }
    statement(history_sql::k_reset_session);
    statement("BEGIN");
    if (step.direction == Direction::up) {
        statement(bind_values(history_sql::finish_autocommit_upgrade(m_table),
                              {id, "0", quote_literal(m.checksum)}));
    } else {
        statement(bind_values(history_sql::delete_revision(m_table), {id}));
    }
    statement(bind_values(
        history_sql::log_succeeded(m_table),
        {id, quote_literal(operation(step.direction)), "0", applied_by_sql(applied_by)}));
    statement("COMMIT");
    if (step.direction == Direction::up) {
        record_applied(m);
    } else {
        record_removed(m.id);
    }
}

void ScriptStore::stamp(const std::vector<const migration::Migration*>& add,
                        const std::vector<std::string>& remove, const std::string& applied_by) {
    release();
    comment("stamp: record the state without running any migration SQL");
    statement("BEGIN");
    for (const auto& id : remove) {
        statement(bind_values(history_sql::delete_revision(m_table), {quote_literal(id)}));
        statement(bind_values(history_sql::log_stamp(m_table),
                              {quote_literal(id), applied_by_sql(applied_by)}));
        record_removed(id);
    }
    for (const auto* m : add) {
        statement(bind_values(history_sql::stamp_insert(m_table),
                              {quote_literal(m->id), quote_literal(util::join(m->parents, ",")),
                               quote_literal(m->checksum), quote_literal(m->message),
                               applied_by_sql(applied_by)}));
        statement(bind_values(history_sql::log_stamp(m_table),
                              {quote_literal(m->id), applied_by_sql(applied_by)}));
        record_applied(*m);
    }
    statement("COMMIT");
    write("\n");
}

std::optional<migration::RevisionSet> ScriptStore::read_run_target(const RunTarget& /*key*/) {
    return std::nullopt;
}

void ScriptStore::record_run_target(const RunTarget& /*key*/,
                                    const migration::RevisionSet& /*revisions*/,
                                    const std::string& /*applied_by*/) {
    // A script's relative target is resolved once, when it is printed: nothing to share.
}

void ScriptStore::abandon_step(const std::string& id, const std::string& applied_by) {
    const auto row = std::find_if(m_history.begin(), m_history.end(),
                                  [&](const AppliedRevision& r) { return r.id == id; });
    if (row == m_history.end() || row->state == RowState::applied) {
        throw UsageError("revision " + id +
                         " has no failed or interrupted step to roll back; "
                         "`schemagate validate` lists what needs repair");
    }
    release();
    comment("repair " + id + " --rollback: its step was undone by hand");
    statement("BEGIN");
    if (row->operation == Direction::up) {
        statement(bind_values(history_sql::delete_revision(m_table), {quote_literal(id)}));
        m_ids.erase(id);
        m_history.erase(row);
    } else {
        statement(bind_values(history_sql::abandon_downgrade(m_table), {quote_literal(id)}));
        row->state = RowState::applied;
        row->statements_done = 0;
        row->error.clear();
    }
    statement(bind_values(history_sql::log_repair(m_table),
                          {quote_literal(id), applied_by_sql(applied_by)}));
    statement("COMMIT");
    write("\n");
}

std::vector<std::string> ScriptStore::invalid_indexes() {
    return {};
}

void ScriptStore::reconnect() {}

} // namespace schemagate::store
