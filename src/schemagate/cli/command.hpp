#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/program_options.hpp>

#include <schemagate/app/context.hpp>
#include <schemagate/config/config.hpp>
#include <schemagate/migration/target.hpp>

namespace schemagate::cli {

// What a handler gets: the parsed options, the resolved configuration, its arguments, and the
// application's context to call a use case with.
struct Invocation {
    const boost::program_options::variables_map& vm;
    const config::Config& config;
    const config::Settings& settings; // where each option's value came from
    const std::vector<std::string>& args;
    const app::Context& ctx;

    bool flag(const char* name) const { return vm.count(name) != 0; }
    std::string value(const char* name) const {
        return vm.count(name) ? vm[name].as<std::string>() : std::string();
    }
    std::string arg(std::size_t i, const std::string& fallback) const {
        return i < args.size() ? args[i] : fallback;
    }
    // Argument `i` as a target, or `fallback` when there is none. Throws UsageError.
    migration::Target target_arg(std::size_t i, const migration::Target& fallback) const {
        return i < args.size() ? migration::Target::parse_or_throw(args[i]) : fallback;
    }
    // Option `name` as a target, or nullopt when not given. Throws UsageError.
    std::optional<migration::Target> target_option(const char* name) const {
        if (!flag(name)) {
            return std::nullopt;
        }
        return migration::Target::parse_or_throw(value(name), std::string("--") + name);
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

} // namespace schemagate::cli
