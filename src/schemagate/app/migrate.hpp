#pragma once

#include <string>

#include <schemagate/app/context.hpp>
#include <schemagate/migration/target.hpp>
#include <schemagate/runner/runner.hpp>

namespace schemagate::app {

class Observability;

// What a migrating command does, beside its target.
enum class Operation { upgrade, downgrade, stamp, repair_resume, repair_rollback };
// Whether `upgrade` lints the revisions it would apply first, refusing on an error (--lint).
enum class LintGate { off, on };

// The migrating commands. Each runs under the migration lock, reports to metrics and
// /readyz for the whole command (listening, pushing and lingering as configured), and then
// publishes where the database stands. Returns the report; throws the runner's errors
// (IntegrityError, UsageError, LockTimeout, MigrationFailed, DatabaseUnreachable, Interrupted)
// after publishing the failure.
runner::RunReport upgrade(const Context& ctx, const migration::Target& target,
                          LintGate lint = LintGate::off);
runner::RunReport downgrade(const Context& ctx, const migration::Target& target);
runner::RunReport stamp(const Context& ctx, const migration::Target& target);
runner::RunReport repair(const Context& ctx, const std::string& revision, runner::RepairMode mode);

// `upgrade TARGET` within a command that owns `observability` (serve --apply): publishes the
// state afterwards but leaves the readiness of a failure, and finishing, to the caller.
runner::RunReport upgrade_observed(const Context& ctx, Observability& observability,
                                   const migration::Target& target);

// The runner options of the configuration.
runner::RunnerOptions runner_options(const config::Config& config);
// The integrity problems the configuration lives with (--allow-drift, --allow-unknown).
runner::Allowances allowances(const config::Config& config);

} // namespace schemagate::app
