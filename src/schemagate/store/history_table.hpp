#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace schemagate::store {

// The names of the history table and its audit log ("<table>_log"), in one schema.
struct HistoryTable {
    std::string schema = "public";
    std::string table = "schemagate_history";

    std::string qualified() const;     // quoted: "public"."schemagate_history"
    std::string log_qualified() const; // quoted: "public"."schemagate_history_log"
    // The relative targets of named runs (--run-id), created when first needed.
    std::string run_qualified() const; // quoted: "public"."schemagate_history_run"
    std::string display() const;       // unquoted: public.schemagate_history
    // The advisory-lock key for migrations recorded in this table.
    std::int64_t lock_key() const;
    // The LISTEN/NOTIFY channel on which runs announce each applied step:
    // "schemagate_" and the lock key in hex, so one name per history table.
    std::string channel() const;
};

// Parses "table" or "schema.table". Names are taken literally (case is kept), so they must
// be non-empty, at most 59 bytes (so that "<table>_log" fits PostgreSQL's 63), and contain no
// '.' and no control character (NUL, newline, escape...: util::has_control).
tl::expected<HistoryTable, std::string> parse_history_table(std::string_view text);

// A SQL identifier in double quotes, with embedded quotes doubled.
std::string quote_ident(std::string_view name);

} // namespace schemagate::store
