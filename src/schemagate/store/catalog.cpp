#include <schemagate/store/catalog.hpp>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <random>

#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include <schemagate/store/connection.hpp>
#include <schemagate/store/conninfo.hpp>
#include <schemagate/util/error.hpp>
#include <schemagate/util/secrets.hpp>

namespace schemagate::store {

std::string CatalogObject::line() const {
    return detail.empty() ? key : key + ": " + detail;
}

namespace {

// A detail on one line: each line break, with the indentation around it, becomes one space.
std::string one_line(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        if (text[i] == '\n' || text[i] == '\r') {
            while (!out.empty() && (out.back() == ' ' || out.back() == '\t')) {
                out.pop_back();
            }
            while (i < text.size() &&
                   (text[i] == '\n' || text[i] == '\r' || text[i] == ' ' || text[i] == '\t')) {
                ++i;
            }
            if (!out.empty() && i < text.size()) {
                out += ' ';
            }
            continue;
        }
        out += text[i++];
    }
    return out;
}

} // namespace

SchemaSnapshot SchemaSnapshot::from(std::vector<CatalogObject> objects) {
    for (auto& o : objects) {
        o.detail = one_line(o.detail);
    }
    std::sort(objects.begin(), objects.end());
    return SchemaSnapshot{std::move(objects)};
}

std::vector<std::string> diff_snapshots(const SchemaSnapshot& before, const SchemaSnapshot& after) {
    // Multiset differences of two sorted lists: an object defined differently on each side
    // shows as a removal and an addition under the same key, like a changed line in diff -u.
    std::vector<CatalogObject> removed;
    std::vector<CatalogObject> added;
    std::set_difference(before.objects.begin(), before.objects.end(), after.objects.begin(),
                        after.objects.end(), std::back_inserter(removed));
    std::set_difference(after.objects.begin(), after.objects.end(), before.objects.begin(),
                        before.objects.end(), std::back_inserter(added));
    std::vector<std::string> out;
    out.reserve(removed.size() + added.size());
    auto r = removed.begin();
    auto a = added.begin();
    while (r != removed.end() || a != added.end()) {
        if (a == added.end() || (r != removed.end() && r->key <= a->key)) {
            out.push_back("- " + (r++)->line());
        } else {
            out.push_back("+ " + (a++)->line());
        }
    }
    return out;
}

namespace {

// Schemas that belong to PostgreSQL itself (user schemas may not start with pg_).
std::string user_schema(const std::string& column) {
    return "(" + column + " NOT IN ('pg_catalog', 'information_schema') AND " + column +
           " NOT LIKE 'pg\\_%')";
}

// Objects that come with an extension are described by the extension's name and version.
std::string not_in_extension(const std::string& catalog, const std::string& oid) {
    return "NOT EXISTS (SELECT 1 FROM pg_depend x WHERE x.classid = '" + catalog +
           "'::regclass AND x.objid = " + oid + " AND x.deptype = 'e')";
}

std::string privileges(const std::string& acl) {
    return "CASE WHEN " + acl + " IS NOT NULL THEN 'privileges ' || " + acl + "::text END";
}

// The relations of the history tables (with their indexes, sequences and TOAST tables), which
// every query leaves out through $1.
const char* const k_history_relations = R"sql(
WITH t AS (
    SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = $1 AND c.relname IN ($2, $3))
SELECT oid FROM t
UNION SELECT i.indexrelid FROM pg_index i WHERE i.indrelid IN (SELECT oid FROM t)
UNION SELECT d.objid FROM pg_depend d
    WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
      AND d.refobjid IN (SELECT oid FROM t) AND d.deptype IN ('a', 'i')
UNION SELECT c.reltoastrelid FROM pg_class c WHERE c.oid IN (SELECT oid FROM t) AND c.reltoastrelid <> 0
)sql";

// Each query returns (key, detail) rows; $1 is the oid[] of the history relations. They run
// with search_path = pg_catalog, so every name that pg_get_*def prints is schema-qualified.
std::vector<std::string> snapshot_queries() {
    const std::string nsp = user_schema("n.nspname");
    std::vector<std::string> q;

    q.push_back("SELECT 'schema ' || quote_ident(n.nspname), concat_ws(' ', " +
                privileges("n.nspacl") + ") FROM pg_namespace n WHERE " + nsp + " AND " +
                not_in_extension("pg_namespace", "n.oid"));

    q.push_back("SELECT 'extension ' || quote_ident(e.extname), 'version ' || e.extversion || "
                "' schema ' || quote_ident(n.nspname) "
                "FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace");

    q.push_back(R"sql(
SELECT CASE c.relkind WHEN 'v' THEN 'view ' WHEN 'm' THEN 'materialized view '
                      WHEN 'f' THEN 'foreign table ' ELSE 'table ' END
       || format('%I.%I', n.nspname, c.relname),
       concat_ws(' ',
           CASE WHEN c.relkind = 'p' THEN 'partitioned by ' || pg_get_partkeydef(c.oid) END,
           CASE WHEN c.relispartition THEN
               'partition of ' || (SELECT string_agg(i.inhparent::regclass::text, ', ')
                                   FROM pg_inherits i WHERE i.inhrelid = c.oid)
               || ' ' || pg_get_expr(c.relpartbound, c.oid) END,
           CASE WHEN NOT c.relispartition AND EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid) THEN
               'inherits ' || (SELECT string_agg(i.inhparent::regclass::text, ', ' ORDER BY i.inhseqno)
                               FROM pg_inherits i WHERE i.inhrelid = c.oid) END,
           CASE WHEN c.relpersistence = 'u' THEN 'unlogged' END,
           CASE WHEN c.reloptions IS NOT NULL THEN 'with (' || array_to_string(c.reloptions, ', ') || ')' END,
           CASE WHEN c.relrowsecurity THEN 'row level security' END,
           CASE WHEN c.relforcerowsecurity THEN 'forced row level security' END,
           CASE WHEN c.relkind IN ('r', 'p') AND c.relreplident <> 'd' THEN
               'replica identity ' || CASE c.relreplident WHEN 'n' THEN 'nothing' WHEN 'f' THEN 'full'
                                                          ELSE 'index' END END,
           CASE WHEN c.relkind IN ('v', 'm') THEN 'as ' || btrim(pg_get_viewdef(c.oid, true), E' \n') END,
           )sql" +
                privileges("c.relacl") +
                R"sql()
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND c.oid <> ALL ($1::oid[]) AND )sql" +
                nsp + " AND " + not_in_extension("pg_class", "c.oid"));

    q.push_back(R"sql(
SELECT 'column ' || format('%I.%I.%I', n.nspname, c.relname, a.attname),
       concat_ws(' ',
           format_type(a.atttypid, a.atttypmod),
           CASE WHEN a.attcollation <> t.typcollation THEN
               'collate ' || (SELECT format('%I.%I', cn.nspname, co.collname)
                              FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
                              WHERE co.oid = a.attcollation) END,
           CASE WHEN a.attnotnull THEN 'not null' END,
           CASE a.attidentity WHEN 'a' THEN 'generated always as identity'
                              WHEN 'd' THEN 'generated by default as identity' END,
           CASE WHEN a.attgenerated = 's' THEN 'generated always as (' || pg_get_expr(d.adbin, d.adrelid) || ') stored'
                WHEN d.adbin IS NOT NULL THEN 'default ' || pg_get_expr(d.adbin, d.adrelid) END,
           'position ' || row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum),
           )sql" +
                privileges("a.attacl") +
                R"sql()
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'f')
  AND c.oid <> ALL ($1::oid[]) AND )sql" +
                nsp + " AND " + not_in_extension("pg_class", "c.oid"));

    q.push_back(R"sql(
SELECT 'constraint ' || CASE WHEN con.conrelid <> 0
                             THEN format('%I.%I.%I', n.nspname, c.relname, con.conname)
                             ELSE format('%I.%I.%I', tn.nspname, t.typname, con.conname) END,
       CASE WHEN con.contypid <> 0 THEN 'on domain ' ELSE '' END || pg_get_constraintdef(con.oid, true)
FROM pg_constraint con
LEFT JOIN pg_class c ON c.oid = con.conrelid
LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_type t ON t.oid = con.contypid
LEFT JOIN pg_namespace tn ON tn.oid = t.typnamespace
WHERE (con.conrelid <> 0 AND con.conrelid <> ALL ($1::oid[]) AND )sql" +
                nsp + " AND " + not_in_extension("pg_class", "c.oid") +
                ") OR (con.contypid <> 0 AND " + user_schema("tn.nspname") + " AND " +
                not_in_extension("pg_type", "t.oid") + ")");

    q.push_back(R"sql(
SELECT 'index ' || format('%I.%I', n.nspname, ic.relname),
       concat_ws(' ', pg_get_indexdef(i.indexrelid),
           CASE WHEN NOT i.indisvalid THEN '(INVALID)' END,
           CASE WHEN i.indisclustered THEN '(clustered)' END,
           CASE WHEN i.indisreplident THEN '(replica identity)' END)
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_namespace n ON n.oid = ic.relnamespace
WHERE i.indexrelid <> ALL ($1::oid[]) AND i.indrelid <> ALL ($1::oid[]) AND )sql" +
                nsp + " AND " + not_in_extension("pg_class", "i.indrelid"));

    q.push_back(R"sql(
SELECT 'sequence ' || format('%I.%I', n.nspname, c.relname),
       concat_ws(' ', format_type(s.seqtypid, NULL),
           'start ' || s.seqstart, 'increment ' || s.seqincrement,
           'min ' || s.seqmin, 'max ' || s.seqmax, 'cache ' || s.seqcache,
           CASE WHEN s.seqcycle THEN 'cycle' END,
           CASE WHEN c.relpersistence = 'u' THEN 'unlogged' END,
           (SELECT CASE d.deptype WHEN 'i' THEN 'identity of ' ELSE 'owned by ' END
                   || format('%I.%I.%I', dn.nspname, dc.relname, da.attname)
            FROM pg_depend d
            JOIN pg_class dc ON dc.oid = d.refobjid
            JOIN pg_namespace dn ON dn.oid = dc.relnamespace
            JOIN pg_attribute da ON da.attrelid = d.refobjid AND da.attnum = d.refobjsubid
            WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
              AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
            LIMIT 1),
           )sql" +
                privileges("c.relacl") +
                R"sql()
FROM pg_sequence s
JOIN pg_class c ON c.oid = s.seqrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.oid <> ALL ($1::oid[]) AND )sql" +
                nsp + " AND " + not_in_extension("pg_class", "c.oid"));

    q.push_back(R"sql(
SELECT CASE p.prokind WHEN 'p' THEN 'procedure ' WHEN 'a' THEN 'aggregate '
                      WHEN 'w' THEN 'window function ' ELSE 'function ' END
       || format('%I.%I', n.nspname, p.proname) || '(' || pg_get_function_identity_arguments(p.oid) || ')',
       CASE WHEN p.prokind = 'a' THEN
           concat_ws(' ', 'returns ' || format_type(p.prorettype, NULL),
               'sfunc ' || ag.aggtransfn::regprocedure::text,
               'stype ' || format_type(ag.aggtranstype, NULL),
               CASE WHEN ag.aggfinalfn <> 0 THEN 'finalfunc ' || ag.aggfinalfn::regprocedure::text END,
               CASE WHEN ag.aggcombinefn <> 0 THEN 'combinefunc ' || ag.aggcombinefn::regprocedure::text END,
               CASE WHEN ag.agginitval IS NOT NULL THEN 'initcond ' || quote_literal(ag.agginitval) END,
               )sql" +
                privileges("p.proacl") +
                R"sql()
       ELSE
           concat_ws(' ',
               CASE WHEN p.prokind <> 'p' THEN 'returns ' || pg_get_function_result(p.oid) END,
               'language ' || l.lanname,
               CASE p.provolatile WHEN 'i' THEN 'immutable' WHEN 's' THEN 'stable' END,
               CASE WHEN p.proisstrict THEN 'strict' END,
               CASE WHEN p.prosecdef THEN 'security definer' END,
               CASE WHEN p.proconfig IS NOT NULL THEN 'set ' || array_to_string(p.proconfig, ', ') END,
               'definition md5 ' || left(md5(pg_get_functiondef(p.oid)), 16),
               )sql" +
                privileges("p.proacl") +
                R"sql()
       END
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
JOIN pg_language l ON l.oid = p.prolang
LEFT JOIN pg_aggregate ag ON ag.aggfnoid = p.oid
WHERE )sql" + nsp +
                " AND " + not_in_extension("pg_proc", "p.oid"));

    q.push_back(R"sql(
SELECT 'trigger ' || format('%I.%I.%I', n.nspname, c.relname, t.tgname),
       pg_get_triggerdef(t.oid, true)
       || CASE t.tgenabled WHEN 'D' THEN ' (disabled)' WHEN 'R' THEN ' (enabled replica)'
                           WHEN 'A' THEN ' (enabled always)' ELSE '' END
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE NOT t.tgisinternal AND c.oid <> ALL ($1::oid[]) AND )sql" +
                nsp + " AND " + not_in_extension("pg_class", "c.oid"));

    q.push_back(R"sql(
SELECT CASE t.typtype WHEN 'e' THEN 'enum ' WHEN 'd' THEN 'domain ' WHEN 'r' THEN 'range '
                      WHEN 'c' THEN 'composite type ' ELSE 'type ' END
       || format('%I.%I', n.nspname, t.typname),
       concat_ws(' ',
           CASE t.typtype
               WHEN 'e' THEN '(' || coalesce((SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder)
                                              FROM pg_enum e WHERE e.enumtypid = t.oid), '') || ')'
               WHEN 'd' THEN concat_ws(' ', format_type(t.typbasetype, t.typtypmod),
                                       CASE WHEN t.typnotnull THEN 'not null' END,
                                       'default ' || t.typdefault)
               WHEN 'c' THEN '(' || coalesce((SELECT string_agg(format('%I %s', a.attname, format_type(a.atttypid, a.atttypmod)), ', ' ORDER BY a.attnum)
                                              FROM pg_attribute a
                                              WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped), '') || ')'
               WHEN 'r' THEN (SELECT concat_ws(' ', 'subtype ' || format_type(r.rngsubtype, NULL),
                                               CASE WHEN r.rngsubdiff <> 0 THEN 'subtype_diff ' || r.rngsubdiff::regproc::text END)
                              FROM pg_range r WHERE r.rngtypid = t.oid)
               ELSE 'input ' || t.typinput::regproc::text || ' output ' || t.typoutput::regproc::text
           END,
           )sql" +
                privileges("t.typacl") +
                R"sql()
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
LEFT JOIN pg_class c ON c.oid = t.typrelid
WHERE (t.typrelid = 0 OR c.relkind = 'c') AND t.typtype <> 'm'
  AND NOT EXISTS (SELECT 1 FROM pg_type el WHERE el.typarray = t.oid)
  AND )sql" + nsp +
                " AND " + not_in_extension("pg_type", "t.oid"));

    q.push_back(R"sql(
SELECT 'policy ' || format('%I.%I.%I', n.nspname, c.relname, p.polname),
       concat_ws(' ',
           CASE WHEN p.polpermissive THEN 'permissive' ELSE 'restrictive' END,
           'for ' || CASE p.polcmd WHEN 'r' THEN 'select' WHEN 'a' THEN 'insert' WHEN 'w' THEN 'update'
                                   WHEN 'd' THEN 'delete' ELSE 'all' END,
           'to ' || (SELECT string_agg(r.name, ', ' ORDER BY r.name)
                     FROM (SELECT CASE WHEN role = 0 THEN 'public' ELSE quote_ident(pg_get_userbyid(role)) END AS name
                           FROM unnest(p.polroles) AS role) r),
           'using (' || pg_get_expr(p.polqual, p.polrelid) || ')',
           'with check (' || pg_get_expr(p.polwithcheck, p.polrelid) || ')')
FROM pg_policy p
JOIN pg_class c ON c.oid = p.polrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.oid <> ALL ($1::oid[]) AND )sql" +
                nsp);

    q.push_back(R"sql(
SELECT 'rule ' || format('%I.%I.%I', n.nspname, c.relname, r.rulename), pg_get_ruledef(r.oid, true)
FROM pg_rewrite r
JOIN pg_class c ON c.oid = r.ev_class
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE r.rulename <> '_RETURN' AND c.oid <> ALL ($1::oid[]) AND )sql" +
                nsp + " AND " + not_in_extension("pg_class", "c.oid"));

    q.push_back(R"sql(
SELECT 'statistics ' || format('%I.%I', n.nspname, s.stxname), pg_get_statisticsobjdef(s.oid)
FROM pg_statistic_ext s
JOIN pg_namespace n ON n.oid = s.stxnamespace
WHERE s.stxrelid <> ALL ($1::oid[]) AND )sql" +
                nsp + " AND " + not_in_extension("pg_statistic_ext", "s.oid"));

    q.push_back(R"sql(
SELECT 'collation ' || format('%I.%I', n.nspname, co.collname),
       concat_ws(' ', 'provider ' || co.collprovider::text, 'collate ' || co.collcollate,
                 'ctype ' || co.collctype, CASE WHEN NOT co.collisdeterministic THEN 'nondeterministic' END)
FROM pg_collation co
JOIN pg_namespace n ON n.oid = co.collnamespace
WHERE )sql" + nsp +
                " AND " + not_in_extension("pg_collation", "co.oid"));

    q.push_back(R"sql(
SELECT 'event trigger ' || quote_ident(e.evtname),
       concat_ws(' ', 'on ' || e.evtevent, 'execute ' || e.evtfoid::regprocedure::text,
                 CASE WHEN e.evttags IS NOT NULL THEN 'tags ' || array_to_string(e.evttags, ', ') END,
                 CASE e.evtenabled WHEN 'D' THEN '(disabled)' WHEN 'R' THEN '(enabled replica)'
                                   WHEN 'A' THEN '(enabled always)' END)
FROM pg_event_trigger e
WHERE )sql" + not_in_extension("pg_event_trigger", "e.oid"));

    // Comments on anything above. Built-in objects have oids below 16384 (FirstNormalObjectId),
    // except schemas such as public, which are told apart by name.
    q.push_back(R"sql(
SELECT 'comment on ' || o.type || ' ' || o.identity, quote_literal(d.description)
FROM pg_description d, LATERAL pg_identify_object(d.classoid, d.objoid, d.objsubid) o
WHERE CASE WHEN d.classoid = 'pg_namespace'::regclass THEN )sql" +
                user_schema("o.identity") + R"sql(
           WHEN o.schema IS NOT NULL THEN )sql" +
                user_schema("o.schema") + R"sql(
           ELSE d.objoid >= 16384 END
  AND d.classoid <> 'pg_extension'::regclass
  AND NOT (d.classoid = 'pg_class'::regclass AND d.objoid = ANY ($1::oid[]))
  AND NOT EXISTS (SELECT 1 FROM pg_depend x
                  WHERE x.classid = d.classoid AND x.objid = d.objoid AND x.deptype = 'e')
)sql");
    return q;
}

[[noreturn]] void rethrow_as_error(const std::exception& e, const std::string& what) {
    if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) {
        throw DatabaseUnreachable("cannot " + what +
                                  ", the database connection failed: " + describe(e));
    }
    throw Error(ExitCode::migration_failed, "cannot " + what + ": " + describe(e));
}

} // namespace

PgCatalog::PgCatalog(const Conninfo& conninfo, HistoryTable history)
    : m_history(std::move(history)), m_conn(std::make_unique<Connection>(conninfo)) {}

PgCatalog::~PgCatalog() = default;

SchemaSnapshot PgCatalog::snapshot() {
    static const std::vector<std::string> queries = snapshot_queries();
    try {
        // One snapshot of the catalogs for every query.
        pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> txn(m_conn->get());
        txn.exec("SET LOCAL search_path = pg_catalog");
        std::string excluded = "{";
        for (const auto& row : txn.exec_params(k_history_relations, m_history.schema,
                                               m_history.table, m_history.table + "_log")) {
            excluded += (excluded.size() > 1 ? "," : "") + row[0].as<std::string>();
        }
        excluded += "}";
        std::vector<CatalogObject> objects;
        for (const auto& sql : queries) {
            const bool uses_excluded = sql.find("$1") != std::string::npos;
            for (const auto& row : uses_excluded ? txn.exec_params(sql, excluded) : txn.exec(sql)) {
                objects.push_back({row[0].as<std::string>(), row[1].as<std::string>("")});
            }
        }
        txn.commit();
        return SchemaSnapshot::from(std::move(objects));
    } catch (const pqxx::failure& e) {
        rethrow_as_error(e, "read the schema from the catalogs");
    }
}

std::vector<std::string> PgCatalog::user_relations() {
    try {
        pqxx::read_transaction txn(m_conn->get());
        const auto rows = txn.exec_params(
            "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND " +
                user_schema("n.nspname") + " AND " + not_in_extension("pg_class", "c.oid") +
                " AND NOT (n.nspname = $1 AND c.relname IN ($2, $3)) ORDER BY 1",
            m_history.schema, m_history.table, m_history.table + "_log");
        std::vector<std::string> out;
        for (const auto& row : rows) {
            out.push_back(row[0].as<std::string>());
        }
        return out;
    } catch (const pqxx::failure& e) {
        rethrow_as_error(e, "list the tables of the database");
    }
}

namespace {

std::string random_hex(std::size_t digits) {
    std::random_device rd;
    std::string out;
    while (out.size() < digits) {
        const auto value = rd();
        for (int shift = 0; shift < 32 && out.size() < digits; shift += 4) {
            out += "0123456789abcdef"[(value >> shift) & 0xFU];
        }
    }
    return out;
}

} // namespace

ScratchDatabase::ScratchDatabase(const Conninfo& server_conninfo, const std::string& prefix)
    : m_server_conninfo(server_conninfo), m_name(prefix + random_hex(12)),
      m_conninfo(server_conninfo.with_dbname(m_name)) {
    Connection admin(m_server_conninfo);
    try {
        pqxx::nontransaction(admin.get()).exec("CREATE DATABASE " + quote_ident(m_name));
    } catch (const pqxx::broken_connection& e) {
        throw DatabaseUnreachable("lost the database connection while creating a scratch "
                                  "database: " +
                                  describe(e));
    } catch (const pqxx::sql_error& e) {
        const std::string state = e.sqlstate().empty() ? "" : " [SQLSTATE " + e.sqlstate() + "]";
        throw UsageError("cannot create a scratch database" + state + ": " + describe(e) +
                         "; grant the role CREATEDB, or give an empty database with "
                         "--scratch-url");
    }
    spdlog::info("created scratch database {}", m_name);
}

ScratchDatabase::~ScratchDatabase() {
    try {
        Connection admin(m_server_conninfo);
        pqxx::nontransaction(admin.get())
            .exec("DROP DATABASE IF EXISTS " + quote_ident(m_name) + " WITH (FORCE)");
        spdlog::info("dropped scratch database {}", m_name);
    } catch (const std::exception& e) {
        try {
            spdlog::warn("could not drop scratch database {}: {}; drop it by hand", m_name,
                         describe(e));
        } catch (...) {
        }
    }
}

} // namespace schemagate::store
