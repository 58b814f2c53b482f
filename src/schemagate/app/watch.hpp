#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include <schemagate/app/context.hpp>
#include <schemagate/app/schema_state.hpp>
#include <schemagate/migration/target.hpp>

namespace schemagate::app {

// Follows the database's state against a target over one HistoryFeed, reopened when the
// database comes back. Used by `wait` and `serve`.
class StateWatcher {
public:
    StateWatcher(Ports& ports, const migration::RevisionGraph& graph, migration::Target target);
    ~StateWatcher();

    // The state now, or nullopt while the database is unreachable (logged now and then).
    std::optional<SchemaState> read();

    // Sleeps until the state may have changed, `period` passes, `deadline` passes or a signal
    // comes. While revisions are pending, a NOTIFY (whose payload is the revision) ends the
    // sleep only once every revision pending at the last read was announced: a waiter then
    // reads the state once per migration, not once per revision. With N waiters and a run of
    // M revisions that is N reads instead of N x M, on the database being migrated. Once
    // nothing is pending, any NOTIFY (a downgrade, a stamp) ends it.
    void pause(std::chrono::milliseconds period, std::chrono::steady_clock::time_point deadline);

private:
    Ports& m_ports;
    const migration::RevisionGraph& m_graph;
    migration::Target m_target;
    std::unique_ptr<store::HistoryFeed> m_feed;
    std::set<std::string> m_awaited; // pending at the last read and not announced since
    std::chrono::steady_clock::time_point m_next_unreachable_log{};
};

// The target `wait` and `serve` follow: `given`, checked against the files now (so a typo is
// an error at once instead of a wait until the timeout), or the default one.
migration::Target watch_target(const migration::RevisionGraph& graph,
                               const std::optional<migration::Target>& given);

// `wait`: returns once the database has reached `target` (default: the files' head), reporting
// to /readyz and the metrics meanwhile. Throws Error(not_at_target) when `timeout` passes first,
// Interrupted on a signal.
SchemaState wait(const Context& ctx, const std::optional<migration::Target>& target,
                 std::chrono::milliseconds timeout);

// `serve`: upgrades first with `apply`, then serves /readyz and the metrics of the state against
// `target` until a signal. Throws what the upgrade throws.
enum class ApplyFirst { no, yes };
void serve(const Context& ctx, const std::optional<migration::Target>& target, ApplyFirst apply);

} // namespace schemagate::app
