// The `verify` command: every revision up, down and up again on a scratch database.
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <schemagate/app/verify.hpp>
#include <schemagate/cli/command.hpp>
#include <schemagate/cli/render.hpp>
#include <schemagate/util/error.hpp>
#include <schemagate/util/strings.hpp>

namespace po = boost::program_options;

namespace schemagate::cli {

namespace {

nlohmann::json problem_json(const runner::VerifyProblem& p) {
    nlohmann::json out{{"summary", p.summary}};
    if (!p.diff.empty()) {
        out["before"] = p.before;
        out["after"] = p.after;
        out["diff"] = p.diff;
    }
    return out;
}

nlohmann::json problems_json(const std::vector<runner::VerifyProblem>& problems) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& p : problems) {
        out.push_back(problem_json(p));
    }
    return out;
}

void print_problems(std::ostream& out, const std::vector<runner::VerifyProblem>& problems) {
    for (const auto& p : problems) {
        // Messages from the server may span lines (DETAIL, HINT): keep them under the summary.
        for (const auto& line : util::split_trimmed(p.summary, '\n')) {
            out << "    " << util::printable(line) << "\n";
        }
        if (!p.diff.empty()) {
            out << "    --- " << util::printable(p.before) << "\n    +++ "
                << util::printable(p.after) << "\n";
            for (const auto& line : p.diff) {
                out << "    " << util::printable(line) << "\n";
            }
        }
    }
}

std::string outcome_text(runner::RevisionOutcome outcome) {
    switch (outcome) {
    case runner::RevisionOutcome::reversible:
        return "reversible";
    case runner::RevisionOutcome::not_reversible:
        return "NOT REVERSIBLE";
    case runner::RevisionOutcome::skipped:
        return "skipped: no down section (irreversible), not verified";
    case runner::RevisionOutcome::failed:
        return "FAILED: its up section does not run";
    case runner::RevisionOutcome::not_reached:
        return "not verified: stopped before it";
    }
    return "";
}

void print_text(std::ostream& out, const runner::VerifyReport& report) {
    for (const auto& r : report.revisions) {
        out << util::printable(r.revision) << "  " << outcome_text(r.outcome) << "  ("
            << util::printable(r.message) << ")\n";
        print_problems(out, r.problems);
    }
    switch (report.base) {
    case runner::BaseOutcome::clean:
        out << "downgrade base: clean, only the history tables remain\n";
        break;
    case runner::BaseOutcome::leftovers:
        out << "downgrade base: NOT CLEAN\n";
        print_problems(out, report.base_problems);
        break;
    case runner::BaseOutcome::skipped:
        out << "downgrade base: skipped, " << util::join(report.irreversible, ", ")
            << (report.irreversible.size() == 1 ? " has" : " have") << " no down section\n";
        break;
    case runner::BaseOutcome::not_reached:
        out << "downgrade base: not reached\n";
        break;
    }
    const auto bad = report.not_reversible();
    std::size_t verified = 0;
    for (const auto& r : report.revisions) {
        verified += r.outcome == runner::RevisionOutcome::reversible ? 1U : 0U;
    }
    out << "verify: " << verified << " of " << report.revisions.size() << " revision(s) reversible";
    if (!bad.empty()) {
        out << ", " << bad.size() << " not reversible (" << util::join(bad, ", ") << ")";
    }
    if (!report.irreversible.empty()) {
        out << ", " << report.irreversible.size() << " skipped as irreversible ("
            << util::join(report.irreversible, ", ") << ")";
    }
    out << "\n";
}

void print_json(std::ostream& out, const runner::VerifyReport& report, const std::string& database,
                bool created) {
    nlohmann::json revisions = nlohmann::json::array();
    for (const auto& r : report.revisions) {
        revisions.push_back({{"revision", r.revision},
                             {"message", r.message},
                             {"file", r.path},
                             {"outcome", runner::to_string(r.outcome)},
                             {"problems", problems_json(r.problems)}});
    }
    out << json_text({{"database", database},
                      {"scratch_created", created},
                      {"ok", report.exit_code() == ExitCode::success},
                      {"revisions", revisions},
                      {"not_reversible", report.not_reversible()},
                      {"irreversible", report.irreversible},
                      {"base",
                       {{"outcome", runner::to_string(report.base)},
                        {"problems", problems_json(report.base_problems)}}}},
                     2)
        << "\n";
}

int cmd_verify(const Invocation& inv) {
    const auto result = app::verify(
        inv.ctx, inv.flag("scratch-url") ? std::optional(inv.value("scratch-url")) : std::nullopt);
    if (inv.flag("json")) {
        print_json(std::cout, result.report, result.database, result.scratch_created);
    } else {
        print_text(std::cout, result.report);
    }
    return static_cast<int>(result.report.exit_code());
}

} // namespace

Command verify_command() {
    return {"verify",
            "check on a scratch database that each down section undoes its up section",
            "",
            0,
            0,
            [](po::options_description& d) {
                json_option(d);
                d.add_options()("scratch-url", po::value<std::string>()->value_name("URL"),
                                "an EMPTY database to verify in (default: create "
                                "schemagate_verify_<random> on --database-url's server and drop "
                                "it at the end)");
            },
            cmd_verify};
}

} // namespace schemagate::cli
