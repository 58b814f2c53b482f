#pragma once

#include <string>
#include <vector>

#include <schemagate/migration/graph.hpp>
#include <schemagate/store/catalog.hpp>
#include <schemagate/store/store.hpp>
#include <schemagate/util/error.hpp>

namespace schemagate::runner {

struct VerifyOptions {
    store::Timeouts timeouts; // defaults for every step; files' directives override them
    std::string applied_by;
};

// One thing found wrong: a one-line summary and, when two schemas differ, the unified-style
// diff lines between them ("- ..." only in `before`, "+ ..." only in `after`).
struct VerifyProblem {
    std::string summary;
    std::string before; // what the diff's "-" side is, e.g. "schema before upgrading 002"
    std::string after;
    std::vector<std::string> diff;
};

enum class RevisionOutcome {
    reversible,     // down restored the schema and up ran again to the same schema
    not_reversible, // see problems
    skipped,        // no down section: irreversible, applied but not verified
    failed,         // its up section failed: the migration itself is broken
    not_reached,    // verification stopped before this revision
};

struct RevisionVerdict {
    std::string revision;
    std::string message;
    std::string path;
    RevisionOutcome outcome = RevisionOutcome::not_reached;
    std::vector<VerifyProblem> problems;
};

enum class BaseOutcome {
    clean,       // after `downgrade base` only the history tables remain
    leftovers,   // see base_problems
    skipped,     // an irreversible revision makes `downgrade base` impossible
    not_reached, // verification stopped before the end
};

struct VerifyReport {
    std::vector<RevisionVerdict> revisions; // in topological order
    BaseOutcome base = BaseOutcome::not_reached;
    std::vector<VerifyProblem> base_problems;
    std::vector<std::string> irreversible; // revisions with no down section

    // Revisions whose outcome is not_reversible, in order.
    std::vector<std::string> not_reversible() const;
    // success; migration_failed when an up section failed; integrity when a revision is not
    // reversible or `downgrade base` leaves something behind.
    ExitCode exit_code() const;
};

// Checks on an empty database that each revision's down section undoes its up section: for
// each revision in topological order it runs up, snapshots the schema, runs down and compares
// with the schema from before, then runs up again (and compares with the first up). At the end
// it runs every down step newest first and compares with the schema it started from.
// Everything found goes into the report; throws UsageError when the database already records
// applied revisions, IntegrityError for a section that cannot be split, DatabaseUnreachable,
// Interrupted.
VerifyReport verify(const migration::RevisionGraph& graph, store::Store& store,
                    store::Catalog& catalog, const VerifyOptions& options);

std::string to_string(RevisionOutcome outcome);
std::string to_string(BaseOutcome outcome);

} // namespace schemagate::runner
