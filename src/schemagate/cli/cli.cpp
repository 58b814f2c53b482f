#include <schemagate/cli/cli.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <filesystem>
#include <functional>
#include <future>
#include <iostream>
#include <memory>
#include <optional>
#include <system_error>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <schemagate/app/inspect.hpp>
#include <schemagate/app/migrate.hpp>
#include <schemagate/app/offline.hpp>
#include <schemagate/app/revision.hpp>
#include <schemagate/cli/checked_stdout.hpp>
#include <schemagate/cli/command.hpp>
#include <schemagate/cli/render.hpp>
#include <schemagate/config/config.hpp>
#include <schemagate/migration/parser.hpp>
#include <schemagate/util/error.hpp>
#include <schemagate/util/interrupt.hpp>
#include <schemagate/util/log.hpp>
#include <schemagate/util/secrets.hpp>
#include <schemagate/util/strings.hpp>
#include <schemagate/util/version.hpp>

namespace po = boost::program_options;

namespace schemagate::cli {

// Defined in cmd_lint.cpp.
Command lint_command();
// Defined in cmd_verify.cpp.
Command verify_command();
// Defined in cmd_serve.cpp.
Command wait_command();
Command serve_command();

void no_options(po::options_description&) {}

void json_option(po::options_description& d) {
    d.add_options()("json", "print JSON instead of text");
}

namespace {

void offline_options(po::options_description& d) {
    d.add_options()("sql", "print the SQL this would run, for psql, instead of running it")(
        "from", po::value<std::string>()->value_name("REV"),
        "with --sql: start from REV and its ancestors applied (or base) instead of reading the "
        "database, and connect to none");
}

app::LintGate lint_gate(const Invocation& inv) {
    return inv.flag("lint") ? app::LintGate::on : app::LintGate::off;
}

// `upgrade|downgrade --sql [--from REV]`: the script to stdout.
int print_sql(const Invocation& inv, migration::Direction direction,
              const migration::Target& target) {
    if (!inv.flag("sql")) {
        throw UsageError(std::string(migration::to_string(direction)) +
                         ": --from only goes with --sql (it says where the printed SQL starts); "
                         "add --sql, or leave --from out to run against the database");
    }
    app::SqlRequest request;
    request.direction = direction;
    request.target = target;
    request.from = inv.target_option("from");
    request.lint = direction == migration::Direction::up ? lint_gate(inv) : app::LintGate::off;
    request.version = util::version();
    app::print_sql(inv.ctx, request, std::cout);
    return 0;
}

int cmd_config(const Invocation& inv) {
    auto shown = [](const config::OptionSpec& spec, const std::vector<std::string>& values) {
        std::string text = util::join(values, ", ");
        return spec.secret == config::Secret::yes ? util::scrub(util::redact_conninfo(text))
                                                  : util::scrub(text);
    };
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& spec : config::option_specs()) {
        auto it = inv.settings.find(spec.name);
        const bool set = it != inv.settings.end();
        rows.push_back({{"option", spec.name},
                        {"value", set ? shown(spec, it->second.values) : spec.default_text},
                        {"source", set ? it->second.source : "default"}});
    }
    if (inv.flag("json")) {
        std::cout << json_text({{"options", rows}}, 2) << "\n";
        return 0;
    }
    for (const auto& row : rows) {
        const auto option = row["option"].get<std::string>();
        const auto value = util::printable(row["value"].get<std::string>());
        std::cout << option << std::string(option.size() < 24 ? 24 - option.size() : 1, ' ')
                  << value << std::string(value.size() < 44 ? 44 - value.size() : 1, ' ')
                  << row["source"].get<std::string>() << "\n";
    }
    return 0;
}

int cmd_upgrade(const Invocation& inv) {
    const auto target = inv.target_arg(0, migration::Target::head());
    if (inv.flag("sql") || inv.flag("from")) {
        return print_sql(inv, migration::Direction::up, target);
    }
    app::upgrade(inv.ctx, target, lint_gate(inv));
    return 0;
}

int cmd_downgrade(const Invocation& inv) {
    const auto target = inv.target_arg(0, migration::Target::base());
    if (inv.flag("sql") || inv.flag("from")) {
        return print_sql(inv, migration::Direction::down, target);
    }
    app::downgrade(inv.ctx, target);
    return 0;
}

int cmd_stamp(const Invocation& inv) {
    app::stamp(inv.ctx, inv.target_arg(0, migration::Target::head()));
    return 0;
}

int cmd_repair(const Invocation& inv) {
    if (inv.flag("resume") == inv.flag("rollback")) {
        throw UsageError("repair: give exactly one of --resume or --rollback");
    }
    app::repair(inv.ctx, inv.args[0],
                inv.flag("resume") ? runner::RepairMode::resume : runner::RepairMode::rollback);
    return 0;
}

int cmd_validate(const Invocation& inv) {
    const auto report = app::validate(inv.ctx);
    if (inv.flag("json")) {
        std::cout << json_text({{"valid", report.valid()},
                                {"problems", report.problems},
                                {"notes", report.notes}},
                               2)
                  << "\n";
    } else {
        for (const auto& p : report.problems) {
            std::cout << "problem: " << util::printable(p) << "\n";
        }
        for (const auto& n : report.notes) {
            std::cout << "note: " << util::printable(n) << "\n";
        }
        std::cout << (report.valid()
                          ? "valid: the history matches the migration files\n"
                          : "invalid: " + std::to_string(report.problems.size()) + " problem(s)\n");
    }
    return static_cast<int>(report.valid() ? ExitCode::success : ExitCode::integrity);
}

int cmd_current(const Invocation& inv) {
    const auto report = app::current(inv.ctx);
    const auto& graph = report.graph;
    if (inv.flag("json")) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& id : report.revisions) {
            const bool known = graph.contains(id);
            out.push_back({{"revision", id},
                           {"message", known ? graph.at(id).message : ""},
                           {"is_head", known && graph.children(id).empty()},
                           {"known", known}});
        }
        std::cout << json_text({{"current", out}}, 2) << "\n";
        return 0;
    }
    if (report.revisions.empty()) {
        spdlog::info("no revision is applied (the database is at base)");
    }
    for (const auto& id : report.revisions) {
        std::cout << util::printable(id);
        if (!graph.contains(id)) {
            std::cout << " (unknown to the migration files)";
        } else if (graph.children(id).empty()) {
            std::cout << " (head)";
        }
        std::cout << "\n";
    }
    return 0;
}

int cmd_heads(const Invocation& inv) {
    const auto graph = inv.ctx.ports.load_graph();
    if (inv.flag("json")) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& id : graph.heads()) {
            out.push_back({{"revision", id}, {"message", graph.at(id).message}});
        }
        std::cout << json_text({{"heads", out}}, 2) << "\n";
        return 0;
    }
    for (const auto& id : graph.heads()) {
        std::cout << util::printable(id) << " (head)\n";
    }
    return 0;
}

int cmd_history(const Invocation& inv) {
    const auto graph = inv.ctx.ports.load_graph();
    const auto& ms = graph.migrations();
    if (inv.flag("json")) {
        nlohmann::json out = nlohmann::json::array();
        for (auto it = ms.rbegin(); it != ms.rend(); ++it) {
            out.push_back(revision_json(graph, *it));
        }
        std::cout << json_text({{"history", out}}, 2) << "\n";
        return 0;
    }
    for (auto it = ms.rbegin(); it != ms.rend(); ++it) {
        if (inv.flag("verbose")) {
            print_verbose(std::cout, graph, *it);
            std::cout << "\n";
        } else {
            std::cout << history_line(graph, *it) << "\n";
        }
    }
    return 0;
}

int cmd_show(const Invocation& inv) {
    const auto graph = inv.ctx.ports.load_graph();
    auto id = graph.resolve(inv.args[0]);
    if (!id) {
        throw UsageError(id.error().message);
    }
    const auto& m = graph.at(*id);
    print_verbose(std::cout, graph, m);
    auto print_section = [](const char* marker, const std::string& sql) {
        std::cout << marker << "\n" << sql;
        if (!sql.empty() && sql.back() != '\n') {
            std::cout << "\n";
        }
    };
    std::cout << "\n";
    print_section("-- migrate:up", m.sql(m.up));
    if (m.down) {
        print_section("-- migrate:down", m.sql(*m.down));
    }
    return 0;
}

int cmd_status(const Invocation& inv) {
    const auto target = inv.target_arg(0, migration::Target::head());
    const auto report = app::status(inv.ctx, target);
    const auto& history = report.history;
    if (inv.flag("json")) {
        nlohmann::json rows = nlohmann::json::array();
        for (const auto& row : history) {
            rows.push_back(applied_json(row));
        }
        std::cout << json_text({{"database", inv.config.database().redacted()},
                                {"history_table", inv.config.history_table.display()},
                                {"lock_key", inv.config.history_table.lock_key()},
                                {"target", target.text()},
                                {"at_target", report.at_target()},
                                {"applied", rows},
                                {"pending", report.pending},
                                {"problems", report.problems}},
                               2)
                  << "\n";
    } else {
        using util::printable;
        std::cout << "history table: " << printable(inv.config.history_table.display()) << "\n"
                  << "target: " << printable(target.text()) << "\n"
                  << "applied: " << history.size() << "\n";
        for (const auto& row : history) {
            std::cout << "  " << printable(row.id) << "  " << printable(row.applied_at) << "  "
                      << printable(row.applied_by) << "  " << printable(row.message) << "\n";
        }
        std::cout << "pending: " << report.pending.size() << "\n";
        for (const auto& id : report.pending) {
            std::cout << "  " << printable(id) << "  " << printable(report.graph.at(id).message)
                      << "\n";
        }
        for (const auto& p : report.problems) {
            std::cout << "problem: " << printable(p) << "\n";
        }
        std::cout << "at target: " << (report.at_target() ? "yes" : "no") << "\n";
    }
    return static_cast<int>(report.exit_code());
}

// The --rev-id value, checked before any file is read or written; nothing when not given.
std::optional<std::string> rev_id_option(const Invocation& inv) {
    if (!inv.flag("rev-id")) {
        return std::nullopt;
    }
    std::string id = inv.value("rev-id");
    if (auto invalid = migration::invalid_id("--rev-id", id)) {
        throw UsageError(*invalid);
    }
    return id;
}

int cmd_revision(const Invocation& inv) {
    const auto path = app::new_revision(inv.ctx, inv.value("message"), rev_id_option(inv));
    std::cout << "created " << util::printable(path.string()) << "\n";
    return 0;
}

int cmd_merge(const Invocation& inv) {
    const auto id = rev_id_option(inv);
    const auto path = app::merge(inv.ctx, inv.args, inv.value("message"), id);
    std::cout << "created " << util::printable(path.string()) << "\n";
    return 0;
}

void message_options(po::options_description& d) {
    static const std::string rev_id_help =
        "the new revision's id, at most " + std::to_string(migration::k_max_id_size) +
        " characters (default: the next number, or 12 random hex digits)";
    d.add_options()("message,m", po::value<std::string>()->required(),
                    "the revision's message (required)")("rev-id", po::value<std::string>(),
                                                         rev_id_help.c_str());
}

const std::vector<Command>& commands() {
    static const std::vector<Command> table = {
        {"upgrade", "apply revisions up to TARGET (default: head)", "[TARGET]", 0, 1,
         [](po::options_description& d) {
             d.add_options()("lint", "refuse to run (exit 4) when lint finds an error in the "
                                     "revisions to apply");
             offline_options(d);
         },
         cmd_upgrade},
        {"downgrade", "undo applied revisions after TARGET, newest first", "TARGET", 1, 1,
         offline_options, cmd_downgrade},
        {"current", "show the revisions the database is at", "", 0, 0, json_option, cmd_current},
        {"history", "list the revisions in the files, newest first", "", 0, 0,
         [](po::options_description& d) {
             json_option(d);
             d.add_options()("verbose,v", "show every detail of each revision");
         },
         cmd_history},
        {"heads", "list the revisions with no children", "", 0, 0, json_option, cmd_heads},
        {"show", "show one revision and its SQL", "REV", 1, 1, no_options, cmd_show},
        {"status", "show applied and pending revisions; exit 6 when not at TARGET", "[TARGET]", 0,
         1, json_option, cmd_status},
        {"stamp", "record TARGET as the state without running any SQL", "TARGET", 1, 1, no_options,
         cmd_stamp},
        {"validate", "check the history against the files; exit 4 on any problem", "", 0, 0,
         json_option, cmd_validate},
        {"config", "print the effective configuration, each value's source, secrets redacted", "",
         0, 0, json_option, cmd_config},
        {"repair", "resume or roll back a failed 'transaction: none' revision", "REV", 1, 1,
         [](po::options_description& d) {
             d.add_options()("resume", "continue from the statement that failed")(
                 "rollback", "record the step as undone, after you undid it by hand");
         },
         cmd_repair},
        {"revision", "write a new migration file whose parents are the current heads", "", 0, 0,
         message_options, cmd_revision},
        {"merge", "write a revision joining REVs (default: all heads)", "[REV...]", 0, k_any_args,
         message_options, cmd_merge},
        lint_command(),
        verify_command(),
        wait_command(),
        serve_command(),
    };
    return table;
}

po::options_description common_options() {
    po::options_description d("Common options (also SCHEMAGATE_<OPTION>, --config, --config-dir)");
    for (const auto& spec : config::option_specs()) {
        const std::string help = spec.help + " (default: " + spec.default_text + ")";
        if (spec.kind == config::Kind::toggle) {
            d.add_options()(spec.name.c_str(), help.c_str());
        } else if (spec.kind == config::Kind::list) {
            d.add_options()(spec.name.c_str(), po::value<std::vector<std::string>>()->composing(),
                            help.c_str());
        } else {
            d.add_options()(spec.name.c_str(), po::value<std::string>(), help.c_str());
        }
    }
    d.add_options()("help,h", "show this help");
    return d;
}

// The shared options given as flags, as the first layer of config::gather.
config::Settings flag_settings(const po::variables_map& vm) {
    config::Settings out;
    for (const auto& spec : config::option_specs()) {
        if (!vm.count(spec.name)) {
            continue;
        }
        std::vector<std::string> values;
        if (spec.kind == config::Kind::toggle) {
            values = {"true"};
        } else if (spec.kind == config::Kind::list) {
            values = vm[spec.name].as<std::vector<std::string>>();
        } else {
            values = {vm[spec.name].as<std::string>()};
        }
        out[spec.name] = {std::move(values), "flag --" + spec.name};
    }
    return out;
}

void print_overview(std::ostream& out) {
    out << "schemagate " << util::version() << ": versioned SQL migrations for PostgreSQL\n\n"
        << "usage: schemagate COMMAND [OPTIONS] [ARGS]\n\ncommands:\n";
    for (const auto& c : commands()) {
        out << "  " << c.name << std::string(12 - c.name.size(), ' ') << c.summary << "\n";
    }
    out << "\n`schemagate COMMAND --help` shows a command's options.\n"
        << "exit codes:";
    for (const auto& info : k_exit_codes) {
        out << (info.code == ExitCode::success ? " " : ", ") << static_cast<int>(info.code) << " "
            << info.name;
    }
    out << " (README, Exit codes)\n";
}

// Writes `text` to the termination log. The default path is written only when it exists, as
// the kubelet creates it in each container: outside a pod nothing is created in /dev. A path
// set explicitly is created if need be. A failure is a warning: the command's exit code stands.
void write_termination_file(const config::Config& config, const std::string& text) {
    const std::string& path = config.termination_log;
    const int flags = O_WRONLY | O_TRUNC | O_CLOEXEC | (config.termination_log_given ? O_CREAT : 0);
    const int fd = ::open(path.c_str(), flags, 0644);
    if (fd < 0 && errno == ENOENT && !config.termination_log_given) {
        return; // not in a pod
    }
    int error = fd < 0 ? errno : 0;
    for (std::size_t done = 0; error == 0 && done < text.size();) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n >= 0) {
            done += static_cast<std::size_t>(n);
        } else if (errno != EINTR) {
            error = errno;
        }
    }
    if (fd >= 0 && ::close(fd) != 0 && error == 0) {
        error = errno; // NFS and the like report a failed write only here
    }
    if (error != 0) {
        spdlog::warn("could not write the termination message to {} ({}); check --termination-log "
                     "(the exit code is not affected)",
                     path, std::generic_category().message(error));
    }
}

// One JSON line with the outcome, where Kubernetes shows it (kubectl get pod -o yaml:
// state.terminated.message); the message is cut to fit Kubernetes' 4096-byte limit.
void write_termination_log(const config::Config& config, std::string_view command, int code,
                           const std::string& error) {
    if (config.termination_log.empty()) {
        return;
    }
    nlohmann::json outcome{
        {"command", command}, {"exit_code", code}, {"outcome", code == 0 ? "success" : "failure"}};
    if (!error.empty()) {
        // Scrubbed before it is encoded, and cut on a character boundary: a byte that is not
        // UTF-8 (json_text replaces it) or a cut character must not lose the message.
        outcome["error"] = std::string(util::utf8_prefix(util::scrub(error), 3000));
    }
    write_termination_file(config, json_text(outcome) + "\n");
}

// Whether a command-line argument may be a connection string (and so hold a password): it is
// then never echoed back.
bool looks_like_conninfo(std::string_view arg) {
    return arg.find("://") != std::string_view::npos || arg.find('=') != std::string_view::npos;
}

// Boost.Program_options' message with each `--option=VALUE` it quotes cut down to
// `--option=...`: a mistyped `--database_url=postgresql://u:pw@h/db` is named, its value is
// not (what is left goes through scrub() in main as any message does).
std::string without_values(std::string message, const std::vector<std::string>& args) {
    for (const auto& arg : args) {
        const std::size_t eq = arg.find('=');
        if (eq == std::string::npos) {
            continue;
        }
        const std::string shown = arg.substr(0, eq + 1) + "...";
        for (std::size_t pos = message.find(arg); pos != std::string::npos;
             pos = message.find(arg, pos + shown.size())) {
            message.replace(pos, arg.size(), shown);
        }
    }
    // A value Boost quotes on its own (an invalid value for an option) is dropped the same way.
    for (const auto& arg : args) {
        if (!looks_like_conninfo(arg)) {
            continue;
        }
        const std::size_t eq = arg.find('=');
        const std::string value = eq == std::string::npos ? arg : arg.substr(eq + 1);
        if (value.size() < 3) {
            continue;
        }
        for (std::size_t pos = message.find(value); pos != std::string::npos;
             pos = message.find(value, pos + 3)) {
            message.replace(pos, value.size(), "...");
        }
    }
    return message;
}

const Command* find_command(std::string_view name) {
    for (const auto& c : commands()) {
        if (c.name == name) {
            return &c;
        }
    }
    return nullptr;
}

// run() once stdout is checked: every path that printed something calls `out.finish()` before
// it returns.
int dispatch(const std::vector<std::string>& args, CheckedStdout& out) {
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        print_overview(std::cout);
        out.finish();
        return args.empty() ? static_cast<int>(ExitCode::usage) : 0;
    }
    if (args[0] == "--version" || args[0] == "version") {
        std::cout << "schemagate " << util::version() << "\n";
        out.finish();
        return 0;
    }
    // Options may come before the command: `schemagate --dir db upgrade head`.
    std::vector<std::string> ordered = args;
    if (ordered[0].rfind('-', 0) == 0) {
        auto it = std::find_if(ordered.begin(), ordered.end(),
                               [](const std::string& a) { return find_command(a) != nullptr; });
        if (it != ordered.end()) {
            std::rotate(ordered.begin(), it, it + 1);
        }
    }
    const Command* command = find_command(ordered[0]);
    if (command == nullptr) {
        // Never echo what may be a connection string with a password in it.
        const bool secretish = looks_like_conninfo(ordered[0]);
        throw UsageError("unknown command" +
                         (secretish ? std::string(" (an argument that looks like a connection "
                                                  "string: pass it with --database-url)")
                                    : " '" + ordered[0] + "'") +
                         "; `schemagate --help` lists the commands");
    }

    po::options_description specific(std::string(command->name) + " options");
    command->options(specific);
    const po::options_description common = common_options();
    po::options_description hidden;
    hidden.add_options()("args", po::value<std::vector<std::string>>(), "");
    po::options_description all;
    all.add(specific).add(common).add(hidden);
    po::positional_options_description positional;
    positional.add("args", -1);

    // Relative targets such as -1 look like options to any option parser: take them out first.
    std::vector<std::string> rest;
    std::vector<std::string> relative;
    for (auto it = ordered.begin() + 1; it != ordered.end(); ++it) {
        const bool is_relative =
            it->size() > 1 && ((*it)[0] == '-' || (*it)[0] == '+') &&
            std::all_of(it->begin() + 1, it->end(), [](char c) { return c >= '0' && c <= '9'; });
        (is_relative ? relative : rest).push_back(*it);
    }
    po::variables_map vm;
    try {
        po::store(
            po::command_line_parser(rest)
                .options(all)
                .positional(positional)
                .style(po::command_line_style::unix_style ^ po::command_line_style::allow_guessing)
                .run(),
            vm);
        if (vm.count("help")) {
            std::cout << "usage: schemagate " << command->name << " [OPTIONS] "
                      << command->arguments << "\n\n"
                      << command->summary << "\n\n";
            if (!specific.options().empty()) {
                std::cout << specific << "\n";
            }
            std::cout << common;
            out.finish();
            return 0;
        }
        po::notify(vm);
    } catch (const po::error& e) {
        throw UsageError(std::string(command->name) + ": " + without_values(e.what(), rest) +
                         "; see `schemagate " + std::string(command->name) + " --help`");
    }

    std::vector<std::string> positionals =
        vm.count("args") ? vm["args"].as<std::vector<std::string>>() : std::vector<std::string>{};
    positionals.insert(positionals.end(), relative.begin(), relative.end());
    if (positionals.size() < command->min_args || positionals.size() > command->max_args) {
        throw UsageError(std::string(command->name) + ": expected " +
                         (command->arguments.empty() ? std::string("no arguments")
                                                     : std::string(command->arguments)) +
                         ", got " + std::to_string(positionals.size()) + " argument(s)");
    }

    const config::Settings settings =
        config::gather(flag_settings(vm), config::process_environment());
    const config::Config config = config::resolve(settings);
    if (auto logged = util::setup_logging(config.log_level, config.log_format); !logged) {
        throw UsageError("--log-level: " + logged.error());
    }
    util::install_interrupt_handlers();

    // From here on the outcome goes to the termination log, and in JSON mode errors are log
    // lines too, so that a log pipeline sees one format.
    try {
        for (const auto& arg : positionals) {
            if (looks_like_conninfo(arg)) {
                throw UsageError(std::string(command->name) +
                                 ": an argument looks like a connection string, not a revision; "
                                 "pass it with --database-url (or DATABASE_URL)");
            }
        }
        const auto ports = app::pg_ports(config);
        const app::Context ctx{config, *ports};
        const int code = command->handler(Invocation{vm, config, settings, positionals, ctx});
        out.finish(); // what was printed but not written turns success into failure
        write_termination_log(config, command->name, code, "");
        return code;
    } catch (const Error& e) {
        write_termination_log(config, command->name, static_cast<int>(e.code()), e.what());
        if (config.log_format != "json" || dynamic_cast<const StdoutClosed*>(&e) != nullptr) {
            throw;
        }
        const util::LogField exit_field("exit_code", std::to_string(static_cast<int>(e.code())),
                                        util::LogField::Type::number);
        spdlog::error("{}", e.what());
        return static_cast<int>(e.code());
    }
}

} // namespace

int run(const std::vector<std::string>& args) {
    // A closed pipe is an error to report (below, or in the log), not a signal that kills the
    // process mid-migration: a reader of the logs that exits must not stop a run part way.
    std::signal(SIGPIPE, SIG_IGN);
    CheckedStdout out;
    try {
        return dispatch(args, out);
    } catch (const StdoutClosed& e) {
        return static_cast<int>(e.code()); // quietly: the reader had what it wanted
    }
}

} // namespace schemagate::cli
