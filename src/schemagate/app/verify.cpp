#include <schemagate/app/verify.hpp>

#include <spdlog/spdlog.h>

#include <schemagate/store/catalog.hpp>
#include <schemagate/store/pg.hpp>
#include <schemagate/util/error.hpp>
#include <schemagate/util/strings.hpp>

namespace schemagate::app {

VerifyResult verify(const Context& ctx, const std::optional<std::string>& scratch_url) {
    const auto graph = ctx.ports.load_graph();
    const auto& history_table = ctx.config.history_table;
    const bool given = scratch_url.has_value();
    // Declared first so that it is dropped last, after every connection to it is closed, and
    // also when verification throws.
    std::optional<store::ScratchDatabase> scratch;
    store::Conninfo conninfo;
    if (given) {
        conninfo = store::Conninfo::parse(*scratch_url);
    } else {
        scratch.emplace(ctx.config.database());
        conninfo = scratch->conninfo();
    }
    VerifyResult result;
    result.database = given ? conninfo.redacted() : scratch->name();
    result.scratch_created = !given;

    store::PgCatalog catalog(conninfo, history_table);
    if (given) {
        if (const auto tables = catalog.user_relations(); !tables.empty()) {
            throw UsageError("--scratch-url: the database is not empty, it holds " +
                             util::join(tables, ", ") +
                             "; verify runs every down section there, so give it an empty "
                             "database (or leave --scratch-url out to use a new one)");
        }
    }
    spdlog::info("verifying {} revision(s) on {}", graph.migrations().size(),
                 given ? "the given scratch database " + result.database
                       : "scratch database " + result.database + " (dropped at the end)");
    const auto store = store::open_pg_store(conninfo, history_table);
    runner::VerifyOptions options;
    options.timeouts = {ctx.config.ddl_lock_timeout, ctx.config.statement_timeout};
    options.applied_by = config::applied_by();
    result.report = runner::verify(graph, *store, catalog, options);
    return result;
}

} // namespace schemagate::app
