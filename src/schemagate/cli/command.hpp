#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/program_options.hpp>

#include <schemagate/config/config.hpp>
#include <schemagate/migration/graph.hpp>
#include <schemagate/store/pg_store.hpp>

namespace schemagate::cli {

// What a handler gets: the parsed options, the resolved configuration and its arguments.
struct Invocation {
    const boost::program_options::variables_map& vm;
    const config::Config& config;
    const config::Settings& settings; // where each option's value came from
    const std::vector<std::string>& args;

    bool flag(const char* name) const { return vm.count(name) != 0; }
    std::string value(const char* name) const {
        return vm.count(name) ? vm[name].as<std::string>() : std::string();
    }
    std::string arg(std::size_t i, const std::string& fallback) const {
        return i < args.size() ? args[i] : fallback;
    }
};

constexpr std::size_t k_any_args = static_cast<std::size_t>(-1);

// One row of the subcommand table (cli.cpp). Commands that live in their own file expose a
// function returning their row, e.g. `Command lint_command();`.
struct Command {
    std::string_view name;
    std::string_view summary;
    std::string_view arguments; // for the usage line, e.g. "[TARGET]"
    std::size_t min_args;
    std::size_t max_args; // k_any_args: any number
    std::function<void(boost::program_options::options_description&)> options;
    std::function<int(const Invocation&)> handler;
};

void no_options(boost::program_options::options_description& d);
void json_option(boost::program_options::options_description& d);

// The migration files of --dir, as a graph. Throws UsageError / IntegrityError.
migration::RevisionGraph load_graph(const config::Config& c);
// A store on --database-url. Throws DatabaseUnreachable.
std::unique_ptr<store::PgStore> open_store(const config::Config& c);

// Lints what `upgrade TARGET` would apply on top of `applied`, logs every finding, and throws
// IntegrityError (exit 4), starting with `refusal`, when one is an error. Used by
// `upgrade --lint` and `upgrade --sql --lint`.
void refuse_on_lint_errors(const migration::RevisionGraph& graph,
                           const migration::RevisionSet& applied, const std::string& target,
                           const std::string& refusal);

class Observability;
// `upgrade TARGET` reporting to `observability` (used by upgrade and serve --apply).
void run_upgrade(const Invocation& inv, Observability& observability, const std::string& target);

} // namespace schemagate::cli
