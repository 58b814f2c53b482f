#include <schemagate/app/lint_gate.hpp>

#include <spdlog/spdlog.h>

#include <schemagate/migration/planner.hpp>
#include <schemagate/runner/runner.hpp>
#include <schemagate/util/error.hpp>

namespace schemagate::app {

LintReport lint_pending(const migration::RevisionGraph& graph,
                        const migration::RevisionSet& applied, const migration::Target& target) {
    const auto revisions =
        migration::plan(graph, applied, migration::resolve_upgrade(graph, applied, target));
    LintReport report;
    for (const auto* m : revisions) {
        report.revisions.push_back(m->id);
    }
    report.findings = lint::lint_migrations(revisions);
    report.errors = lint::count(report.findings, lint::Severity::error);
    report.warnings = lint::count(report.findings, lint::Severity::warning);
    return report;
}

LintReport lint(const Context& ctx, const migration::Target& target, LintScope scope) {
    const auto graph = ctx.ports.load_graph();
    migration::RevisionSet applied;
    if (scope == LintScope::pending) {
        try {
            applied = runner::applied_ids(
                ctx.ports.open_store()->read_history(store::HistoryColumns::state));
        } catch (const DatabaseUnreachable& e) {
            throw DatabaseUnreachable(std::string(e.what()) +
                                      "; `schemagate lint --all` lints every revision without "
                                      "a database");
        }
    }
    return lint_pending(graph, applied, target);
}

void refuse_on_lint_errors(const migration::RevisionGraph& graph,
                           const migration::RevisionSet& applied, const migration::Target& target,
                           const std::string& refusal) {
    const auto report = lint_pending(graph, applied, target);
    for (const auto& f : report.findings) {
        if (f.severity == lint::Severity::error) {
            spdlog::error("{}", lint::format(f));
        } else {
            spdlog::warn("{}", lint::format(f));
        }
    }
    if (report.errors > 0) {
        throw IntegrityError(refusal + ": lint found " + std::to_string(report.errors) +
                             " error(s) in the revisions to apply (logged above); fix them, or "
                             "disable a rule for one file with '-- lint-disable: ID' and a "
                             "comment saying why");
    }
}

} // namespace schemagate::app
