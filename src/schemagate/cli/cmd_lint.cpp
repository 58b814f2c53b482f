// The `lint` command.
#include <iostream>
#include <string>
#include <vector>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <schemagate/app/lint_gate.hpp>
#include <schemagate/cli/command.hpp>
#include <schemagate/cli/render.hpp>
#include <schemagate/lint/lint.hpp>
#include <schemagate/util/error.hpp>
#include <schemagate/util/strings.hpp>

namespace schemagate::cli {

namespace {

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
    const auto report = app::lint(inv.ctx, inv.target_arg(0, migration::Target::heads()),
                                  inv.flag("all") ? app::LintScope::all : app::LintScope::pending);
    const auto& findings = report.findings;
    const std::size_t errors = report.errors;
    const std::size_t warnings = report.warnings;
    if (inv.flag("json")) {
        nlohmann::json rows = nlohmann::json::array();
        for (const auto& f : findings) {
            rows.push_back(finding_json(f));
        }
        std::cout << json_text({{"revisions", report.revisions},
                                {"findings", rows},
                                {"errors", errors},
                                {"warnings", warnings}},
                               2)
                  << "\n";
    } else {
        for (const auto& f : findings) {
            std::cout << util::printable(lint::format(f)) << "\n";
        }
        spdlog::info("linted {}{} revision(s): {} error(s), {} warning(s)", report.revisions.size(),
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

} // namespace schemagate::cli
