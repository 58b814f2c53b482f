// The `lint` command, and the check behind `upgrade --lint`.
#include <iostream>
#include <string>
#include <vector>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <schemagate/cli/command.hpp>
#include <schemagate/cli/render.hpp>
#include <schemagate/lint/lint.hpp>
#include <schemagate/migration/planner.hpp>
#include <schemagate/runner/runner.hpp>
#include <schemagate/util/error.hpp>
#include <schemagate/util/strings.hpp>

namespace schemagate::cli {

namespace {

// The revisions `upgrade TARGET` would apply on top of `applied`, in order.
std::vector<const migration::Migration*> pending(const migration::RevisionGraph& graph,
                                                 const migration::RevisionSet& applied,
                                                 const std::string& target) {
    return migration::plan(graph, applied, migration::resolve_upgrade(graph, applied, target));
}

nlohmann::json finding_json(const lint::Finding& f) {
    return {{"rule", f.rule},         {"severity", lint::to_string(f.severity)},
            {"revision", f.revision}, {"file", f.file},
            {"line", f.line},         {"section", f.section},
            {"message", f.message},   {"hint", f.hint}};
}

int print_rules(const Invocation& inv) {
    if (inv.flag("json")) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& r : lint::rules()) {
            out.push_back({{"rule", r.id},
                           {"severity", lint::to_string(r.severity)},
                           {"can_disable", r.disable == lint::Disable::allowed},
                           {"summary", r.summary}});
        }
        std::cout << json_text({{"rules", out}}, 2) << "\n";
        return 0;
    }
    for (const auto& r : lint::rules()) {
        std::cout << r.id << "  " << lint::to_string(r.severity)
                  << (r.severity == lint::Severity::error ? "    " : "  ") << r.summary
                  << (r.disable == lint::Disable::never ? " (cannot be disabled)" : "") << "\n";
    }
    return 0;
}

int cmd_lint(const Invocation& inv) {
    if (inv.flag("rules")) {
        return print_rules(inv);
    }
    const auto graph = load_graph(inv.config);
    migration::RevisionSet applied;
    if (!inv.flag("all")) {
        try {
            applied = runner::applied_ids(
                open_store(inv.config)->read_history(store::HistoryColumns::state));
        } catch (const DatabaseUnreachable& e) {
            throw DatabaseUnreachable(std::string(e.what()) +
                                      "; `schemagate lint --all` lints every revision without "
                                      "a database");
        }
    }
    const auto revisions = pending(graph, applied, inv.arg(0, "heads"));
    const auto findings = lint::lint_migrations(revisions);
    const std::size_t errors = lint::count(findings, lint::Severity::error);
    const std::size_t warnings = lint::count(findings, lint::Severity::warning);
    if (inv.flag("json")) {
        nlohmann::json ids = nlohmann::json::array();
        for (const auto* m : revisions) {
            ids.push_back(m->id);
        }
        nlohmann::json rows = nlohmann::json::array();
        for (const auto& f : findings) {
            rows.push_back(finding_json(f));
        }
        std::cout << json_text({{"revisions", ids},
                                {"findings", rows},
                                {"errors", errors},
                                {"warnings", warnings}},
                               2)
                  << "\n";
    } else {
        for (const auto& f : findings) {
            std::cout << util::printable(lint::format(f)) << "\n";
        }
        spdlog::info("linted {}{} revision(s): {} error(s), {} warning(s)", revisions.size(),
                     inv.flag("all") ? "" : " pending", errors, warnings);
    }
    if (errors > 0) {
        spdlog::error("lint found {} error(s); fix them, or disable a rule for one file with "
                      "'-- lint-disable: ID' and a comment saying why",
                      errors);
        return static_cast<int>(ExitCode::integrity);
    }
    return 0;
}

void lint_options(boost::program_options::options_description& d) {
    json_option(d);
    d.add_options()("all", "lint every revision, applied or not, without connecting to a database")(
        "rules", "list the rules (id, severity, what each flags) and exit");
}

} // namespace

Command lint_command() {
    return {"lint",
            "flag dangerous SQL in pending revisions (TARGET default: heads); exit 4 on an error",
            "[TARGET]",
            0,
            1,
            lint_options,
            cmd_lint};
}

void refuse_on_lint_errors(const migration::RevisionGraph& graph,
                           const migration::RevisionSet& applied, const std::string& target,
                           const std::string& refusal) {
    const auto findings = lint::lint_migrations(pending(graph, applied, target));
    for (const auto& f : findings) {
        if (f.severity == lint::Severity::error) {
            spdlog::error("{}", lint::format(f));
        } else {
            spdlog::warn("{}", lint::format(f));
        }
    }
    if (const std::size_t errors = lint::count(findings, lint::Severity::error); errors > 0) {
        throw IntegrityError(refusal + ": lint found " + std::to_string(errors) +
                             " error(s) in the revisions to apply (logged above); fix them, or "
                             "disable a rule for one file with '-- lint-disable: ID' and a "
                             "comment saying why");
    }
}

void refuse_upgrade_on_lint_errors(const Invocation& inv, const std::string& target) {
    const auto graph = load_graph(inv.config);
    const auto applied =
        runner::applied_ids(open_store(inv.config)->read_history(store::HistoryColumns::state));
    refuse_on_lint_errors(graph, applied, target, "upgrade refused before running anything");
}

} // namespace schemagate::cli
