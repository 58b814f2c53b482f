#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <schemagate/migration/loader.hpp>
#include <schemagate/migration/migration.hpp>
#include <schemagate/migration/parser.hpp>
#include <schemagate/util/error.hpp>
#include <schemagate/util/sha256.hpp>

#include <support/temp_dir.hpp>

namespace schemagate::migration {
namespace {

std::string joined(const std::vector<Diagnostic>& diagnostics) {
    std::string out;
    for (const auto& d : diagnostics) {
        out += d.message + "\n";
    }
    return out;
}

// Parses text that must be valid; fails the test (and returns an empty migration) otherwise.
Migration parse_ok(std::string_view file, std::string_view text) {
    auto parsed = parse_migration(file, text);
    if (!parsed) {
        ADD_FAILURE() << "unexpected diagnostics:\n" << joined(parsed.error());
        return {};
    }
    return *parsed;
}

// Parses text that must be invalid; returns its diagnostics (none when it parsed).
std::vector<Diagnostic> parse_bad(std::string_view file, std::string_view text) {
    auto parsed = parse_migration(file, text);
    if (parsed) {
        ADD_FAILURE() << "parsed although it should not have: id " << parsed->id;
        return {};
    }
    return parsed.error();
}

// Asserts that the text gives exactly one diagnostic and returns its message.
std::string single_error(std::string_view file, std::string_view text) {
    const auto diagnostics = parse_bad(file, text);
    if (diagnostics.size() != 1) {
        ADD_FAILURE() << "expected one diagnostic, got " << diagnostics.size() << ":\n"
                      << joined(diagnostics);
        return diagnostics.empty() ? std::string() : diagnostics.front().message;
    }
    return diagnostics.front().message;
}

std::string lf_to_crlf(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '\n') {
            out += '\r';
        }
        out += c;
    }
    return out;
}

constexpr std::string_view k_full = "-- parents: 002, 003\n"
                                    "-- revision: 004\n"
                                    "-- message: add guild ranks\n"
                                    "-- transaction: none\n"
                                    "\n"
                                    "-- migrate:up\n"
                                    "ALTER TABLE guild_members ADD COLUMN rank_name text;\n"
                                    "\n"
                                    "-- migrate:down\n"
                                    "ALTER TABLE guild_members DROP COLUMN rank_name;\n";

constexpr std::string_view k_minimal = "-- parents: base\n"
                                       "-- migrate:up\n"
                                       "CREATE TABLE t (id int);\n"
                                       "-- migrate:down\n"
                                       "DROP TABLE t;\n";

// --- directives ---------------------------------------------------------------------------

TEST(ParseMigration, ReadsParentsDirectiveAsListOfIds) {
    const Migration m = parse_ok("migrations/004_x.sql", k_full);
    EXPECT_EQ(m.parents, (std::vector<std::string>{"002", "003"}));
    EXPECT_TRUE(m.is_merge());
}

TEST(ParseMigration, ParentsBaseGivesRootWithNoParents) {
    const Migration m = parse_ok("001_t.sql", k_minimal);
    EXPECT_TRUE(m.parents.empty());
    EXPECT_FALSE(m.is_merge());
}

TEST(ParseMigration, ParentsBaseIsCaseInsensitive) {
    const Migration m = parse_ok("001_t.sql", "-- parents: BASE\n-- migrate:up\nSELECT 1;\n");
    EXPECT_TRUE(m.parents.empty());
}

TEST(ParseMigration, RevisionDirectiveOverridesFileName) {
    const Migration m = parse_ok("migrations/999_other_name.sql", k_full);
    EXPECT_EQ(m.id, "004");
}

TEST(ParseMigration, MessageDirectiveOverridesSlug) {
    const Migration m = parse_ok("migrations/004_something_else.sql", k_full);
    EXPECT_EQ(m.message, "add guild ranks");
}

TEST(ParseMigration, TransactionNoneDisablesTransactions) {
    const Migration m = parse_ok("004_x.sql", k_full);
    EXPECT_EQ(m.transaction, TransactionMode::none);
}

TEST(ParseMigration, TransactionValueIsCaseInsensitive) {
    const Migration m =
        parse_ok("001_t.sql", "-- parents: base\n-- transaction: NONE\n-- migrate:up\nSELECT 1;\n");
    EXPECT_EQ(m.transaction, TransactionMode::none);
}

TEST(ParseMigration, TransactionDefaultsToOnePerSection) {
    const Migration m = parse_ok("001_t.sql", k_minimal);
    EXPECT_EQ(m.transaction, TransactionMode::per_section);
}

TEST(ParseMigration, DirectiveNamesAreCaseInsensitive) {
    const Migration m =
        parse_ok("001_t.sql", "-- Parents: base\n-- MESSAGE: shout\n-- migrate:up\nSELECT 1;\n");
    EXPECT_EQ(m.message, "shout");
}

TEST(ParseMigration, DirectiveValuesAreTrimmed) {
    const Migration m = parse_ok(
        "001_t.sql",
        "--   parents:   base  \n-- message:   padded text   \n-- migrate:up\nSELECT 1;\n");
    EXPECT_EQ(m.message, "padded text");
}

TEST(ParseMigration, RecordsLinesOfParentsAndRevisionDirectives) {
    const Migration m = parse_ok("004_x.sql", k_full);
    EXPECT_EQ(m.parents_line, 1U);
    EXPECT_EQ(m.revision_line, 2U);
}

TEST(ParseMigration, PlainCommentsInHeaderAreIgnored) {
    const Migration m = parse_ok("001_t.sql", "-- creates the first table\n"
                                              "-- (see the design notes)\n"
                                              "-- parents: base\n"
                                              "-- migrate:up\n"
                                              "SELECT 1;\n");
    EXPECT_EQ(m.id, "001");
}

// --- defaults -----------------------------------------------------------------------------

TEST(ParseMigration, IdDefaultsToFileNameBeforeFirstUnderscore) {
    const Migration m = parse_ok("migrations/007_add_guild_ranks.sql", k_minimal);
    EXPECT_EQ(m.id, "007");
}

TEST(ParseMigration, MessageDefaultsToSlugWithUnderscoresAsSpaces) {
    const Migration m = parse_ok("migrations/007_add_guild_ranks.sql", k_minimal);
    EXPECT_EQ(m.message, "add guild ranks");
}

TEST(ParseMigration, FileNameWithoutSlugGivesWholeStemAsIdAndEmptyMessage) {
    const Migration m = parse_ok("migrations/007.sql", k_minimal);
    EXPECT_EQ(m.id, "007");
    EXPECT_EQ(m.message, "");
}

TEST(ParseMigration, KeepsPathForMessages) {
    const Migration m = parse_ok("migrations/007_t.sql", k_minimal);
    EXPECT_EQ(m.path, "migrations/007_t.sql");
    EXPECT_EQ(m.where(3), "migrations/007_t.sql:3");
}

// --- markers and sections -----------------------------------------------------------------

TEST(ParseMigration, UpSectionHoldsTextBetweenMarkers) {
    const Migration m = parse_ok("004_x.sql", k_full);
    EXPECT_EQ(m.sql(m.up), "ALTER TABLE guild_members ADD COLUMN rank_name text;\n\n");
}

TEST(ParseMigration, DownSectionHoldsTextAfterDownMarker) {
    const Migration m = parse_ok("004_x.sql", k_full);
    ASSERT_TRUE(m.down.has_value());
    EXPECT_EQ(m.sql(*m.down), "ALTER TABLE guild_members DROP COLUMN rank_name;\n");
}

TEST(ParseMigration, SectionFirstLineIsLineOfItsMarker) {
    const Migration m = parse_ok("004_x.sql", k_full);
    EXPECT_EQ(m.up.first_line, 6U);
    ASSERT_TRUE(m.down.has_value());
    EXPECT_EQ(m.down->first_line, 9U);
}

TEST(ParseMigration, MarkersAreCaseInsensitiveAndTolerateSpacing) {
    const Migration m = parse_ok("001_t.sql", "-- parents: base\n"
                                              "  --Migrate:UP  \n"
                                              "SELECT 1;\n"
                                              "--   MIGRATE:down\n"
                                              "SELECT 2;\n");
    EXPECT_EQ(m.sql(m.up), "SELECT 1;\n");
    ASSERT_TRUE(m.down.has_value());
    EXPECT_EQ(m.sql(*m.down), "SELECT 2;\n");
}

TEST(ParseMigration, DirectiveLikeCommentsInsideSectionsAreSql) {
    const Migration m = parse_ok("001_t.sql", "-- parents: base\n"
                                              "-- migrate:up\n"
                                              "-- note: keep this comment\n"
                                              "SELECT 1;\n");
    EXPECT_EQ(m.sql(m.up), "-- note: keep this comment\nSELECT 1;\n");
}

TEST(ParseMigration, LastLineWithoutNewlineIsKept) {
    const Migration m = parse_ok("001_t.sql", "-- parents: base\n-- migrate:up\nSELECT 1;");
    EXPECT_EQ(m.sql(m.up), "SELECT 1;");
}

TEST(ParseMigration, FileWithoutDownSectionIsIrreversible) {
    const Migration m =
        parse_ok("001_t.sql", "-- parents: base\n-- migrate:up\nCREATE TABLE t (id int);\n");
    EXPECT_FALSE(m.down.has_value());
    EXPECT_FALSE(m.reversible());
}

TEST(ParseMigration, EmptyDownSectionIsReversible) {
    const Migration m =
        parse_ok("001_t.sql", "-- parents: base\n-- migrate:up\nSELECT 1;\n-- migrate:down\n");
    EXPECT_TRUE(m.reversible());
}

// --- errors -------------------------------------------------------------------------------

TEST(ParseMigrationError, UnknownDirectiveNamesFileLineAndDirective) {
    const std::string e = single_error("m/001_t.sql", "-- parents: base\n"
                                                      "-- author: someone\n"
                                                      "-- migrate:up\n"
                                                      "SELECT 1;\n");
    EXPECT_EQ(e.rfind("m/001_t.sql:2: ", 0), 0U) << e;
    EXPECT_NE(e.find("unknown directive 'author'"), std::string::npos) << e;
}

TEST(ParseMigrationError, RepeatedDirectiveNamesBothLines) {
    const std::string e = single_error("001_t.sql", "-- message: one\n"
                                                    "-- parents: base\n"
                                                    "-- message: two\n"
                                                    "-- migrate:up\n"
                                                    "SELECT 1;\n");
    EXPECT_EQ(e.rfind("001_t.sql:3: ", 0), 0U) << e;
    EXPECT_NE(e.find("'message' repeated (first on line 1)"), std::string::npos) << e;
}

TEST(ParseMigrationError, MissingParentsIsReportedAtUpMarker) {
    const std::string e =
        single_error("002_t.sql", "-- message: add t2\n\n-- migrate:up\nSELECT 1;\n");
    EXPECT_EQ(e.rfind("002_t.sql:3: ", 0), 0U) << e;
    EXPECT_NE(e.find("missing '-- parents:'"), std::string::npos) << e;
}

TEST(ParseMigrationError, NoUpSectionNamesFile) {
    const std::string e = single_error("002_t.sql", "-- parents: base\n-- message: nothing\n");
    EXPECT_EQ(e.rfind("002_t.sql: ", 0), 0U) << e;
    EXPECT_NE(e.find("no '-- migrate:up' section"), std::string::npos) << e;
}

TEST(ParseMigrationError, EmptyFileHasNoUpSection) {
    const std::string e = single_error("002_t.sql", "");
    EXPECT_NE(e.find("no '-- migrate:up' section"), std::string::npos) << e;
}

TEST(ParseMigrationError, SqlBeforeUpMarkerNamesItsLine) {
    const std::string e = single_error("001_t.sql", "-- parents: base\n"
                                                    "CREATE TABLE t (id int);\n"
                                                    "-- migrate:up\n"
                                                    "SELECT 1;\n");
    EXPECT_EQ(e.rfind("001_t.sql:2: ", 0), 0U) << e;
    EXPECT_NE(e.find("SQL before the '-- migrate:up' marker"), std::string::npos) << e;
}

TEST(ParseMigrationError, DownMarkerBeforeUpMarkerNamesItsLine) {
    const auto diagnostics = parse_bad("001_t.sql", "-- parents: base\n"
                                                    "-- migrate:down\n"
                                                    "DROP TABLE t;\n"
                                                    "-- migrate:up\n"
                                                    "CREATE TABLE t (id int);\n");
    const std::string all = joined(diagnostics);
    EXPECT_NE(all.find("001_t.sql:2: '-- migrate:down' before '-- migrate:up'"), std::string::npos)
        << all;
}

TEST(ParseMigrationError, SecondUpMarkerNamesItsLine) {
    const std::string e = single_error("001_t.sql", "-- parents: base\n"
                                                    "-- migrate:up\n"
                                                    "SELECT 1;\n"
                                                    "-- migrate:up\n"
                                                    "SELECT 2;\n");
    EXPECT_EQ(e.rfind("001_t.sql:4: ", 0), 0U) << e;
    EXPECT_NE(e.find("second '-- migrate:up'"), std::string::npos) << e;
}

TEST(ParseMigrationError, SecondDownMarkerNamesItsLine) {
    const std::string e = single_error("001_t.sql", "-- parents: base\n"
                                                    "-- migrate:up\n"
                                                    "SELECT 1;\n"
                                                    "-- migrate:down\n"
                                                    "SELECT 2;\n"
                                                    "-- migrate:down\n");
    EXPECT_EQ(e.rfind("001_t.sql:6: ", 0), 0U) << e;
    EXPECT_NE(e.find("second '-- migrate:down'"), std::string::npos) << e;
}

TEST(ParseMigrationError, InvalidRevisionIdNamesItsLine) {
    const std::string e = single_error("001_t.sql", "-- parents: base\n"
                                                    "-- revision: no spaces!\n"
                                                    "-- migrate:up\n"
                                                    "SELECT 1;\n");
    EXPECT_EQ(e.rfind("001_t.sql:2: ", 0), 0U) << e;
    EXPECT_NE(e.find("invalid revision id 'no spaces!'"), std::string::npos) << e;
}

TEST(ParseMigrationError, ReservedWordsAreRejectedAsRevisionIds) {
    for (const std::string_view id : {"base", "head", "heads", "HEAD", "Base"}) {
        SCOPED_TRACE(id);
        const std::string e =
            single_error("001_t.sql", "-- parents: base\n-- revision: " + std::string(id) +
                                          "\n-- migrate:up\nSELECT 1;\n");
        EXPECT_NE(e.find("invalid revision id"), std::string::npos) << e;
    }
}

TEST(ParseMigrationError, ReservedWordInFileNameIsRejectedAsDefaultId) {
    const std::string e = single_error("m/head_fix.sql", "-- parents: base\n-- migrate:up\n");
    EXPECT_EQ(e.rfind("m/head_fix.sql: ", 0), 0U) << e;
    EXPECT_NE(e.find("cannot take a revision id from the file name"), std::string::npos) << e;
}

TEST(ParseMigrationError, InvalidParentIdNamesParentsLine) {
    const std::string e =
        single_error("002_t.sql", "-- message: m\n-- parents: 001, bad id\n-- migrate:up\n");
    EXPECT_EQ(e.rfind("002_t.sql:2: ", 0), 0U) << e;
    EXPECT_NE(e.find("invalid parent 'bad id'"), std::string::npos) << e;
}

TEST(ParseMigrationError, ReservedWordIsRejectedAsParent) {
    const std::string e = single_error("002_t.sql", "-- parents: head\n-- migrate:up\n");
    EXPECT_NE(e.find("invalid parent 'head'"), std::string::npos) << e;
}

TEST(ParseMigrationError, BaseMixedWithRevisionsIsRejected) {
    const std::string e = single_error("002_t.sql", "-- parents: base, 001\n-- migrate:up\n");
    EXPECT_EQ(e.rfind("002_t.sql:1: ", 0), 0U) << e;
    EXPECT_NE(e.find("invalid parent 'base'"), std::string::npos) << e;
}

TEST(ParseMigrationError, EmptyParentsValueIsRejected) {
    const std::string e = single_error("002_t.sql", "-- parents:\n-- migrate:up\n");
    EXPECT_NE(e.find("invalid parent ''"), std::string::npos) << e;
}

TEST(ParseMigrationError, UnknownTransactionValueIsRejected) {
    const std::string e = single_error(
        "001_t.sql", "-- parents: base\n-- transaction: serializable\n-- migrate:up\n");
    EXPECT_EQ(e.rfind("001_t.sql:2: ", 0), 0U) << e;
    EXPECT_NE(e.find("invalid 'transaction: serializable'"), std::string::npos) << e;
}

TEST(ParseMigrationError, ReportsEveryProblemNotJustTheFirst) {
    const auto diagnostics = parse_bad("001_t.sql", "-- author: a\n"
                                                    "-- reviewer: b\n"
                                                    "SELECT 0;\n"
                                                    "-- migrate:up\n");
    // Two unknown directives, SQL in the header, and no parents.
    EXPECT_EQ(diagnostics.size(), 4U) << joined(diagnostics);
}

// --- CRLF ---------------------------------------------------------------------------------

TEST(ParseMigrationCrlf, DirectiveValuesCarryNoCarriageReturn) {
    const Migration m = parse_ok("004_x.sql", lf_to_crlf(k_full));
    EXPECT_EQ(m.id, "004");
    EXPECT_EQ(m.message, "add guild ranks");
    EXPECT_EQ(m.parents, (std::vector<std::string>{"002", "003"}));
    EXPECT_EQ(m.transaction, TransactionMode::none);
}

TEST(ParseMigrationCrlf, LineNumbersMatchLfFile) {
    const Migration crlf = parse_ok("004_x.sql", lf_to_crlf(k_full));
    const Migration lf = parse_ok("004_x.sql", k_full);
    EXPECT_EQ(crlf.up.first_line, lf.up.first_line);
    ASSERT_TRUE(crlf.down.has_value());
    EXPECT_EQ(crlf.down->first_line, lf.down->first_line);
    EXPECT_EQ(crlf.parents_line, lf.parents_line);
}

TEST(ParseMigrationCrlf, ErrorsNameTheSameLineAsLf) {
    const std::string text = "-- parents: base\n-- author: x\n-- migrate:up\n";
    EXPECT_EQ(single_error("001_t.sql", lf_to_crlf(text)), single_error("001_t.sql", text));
}

// --- checksums ----------------------------------------------------------------------------

TEST(Checksum, IsSha256HexOfUpSection) {
    const Migration m = parse_ok("001_t.sql", k_minimal);
    EXPECT_EQ(m.checksum.size(), 64U);
    EXPECT_EQ(m.checksum, checksum_of(m.sql(m.up)));
}

TEST(Checksum, CrlfFileHasSameChecksumAsLfFile) {
    const Migration lf = parse_ok("004_x.sql", k_full);
    const Migration crlf = parse_ok("004_x.sql", lf_to_crlf(k_full));
    EXPECT_EQ(crlf.checksum, lf.checksum);
}

TEST(Checksum, SurroundingWhitespaceDoesNotChangeChecksum) {
    EXPECT_EQ(checksum_of("\n\n  SELECT 1;\n\t\n"), checksum_of("SELECT 1;"));
}

TEST(Checksum, ChangedSqlChangesChecksum) {
    EXPECT_NE(checksum_of("SELECT 1;"), checksum_of("SELECT 2;"));
}

TEST(Checksum, ChangedInnerWhitespaceChangesChecksum) {
    EXPECT_NE(checksum_of("SELECT 1;\nSELECT 2;"), checksum_of("SELECT 1;\n\nSELECT 2;"));
}

TEST(Checksum, DownSectionDoesNotAffectChecksum) {
    const Migration a = parse_ok("001_t.sql", "-- parents: base\n-- migrate:up\nSELECT 1;\n");
    const Migration b = parse_ok(
        "001_t.sql", "-- parents: base\n-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 2;\n");
    EXPECT_EQ(a.checksum, b.checksum);
}

TEST(Checksum, IsSha256OfTheTrimmedSqlWithCrlfTurnedIntoLf) {
    EXPECT_EQ(checksum_of(" \r\nSELECT 1;\r\n\r\nSELECT 2;\r\n"),
              util::sha256_hex("SELECT 1;\n\nSELECT 2;"));
}

TEST(Checksum, CarriageReturnNotBeforeLineFeedIsKept) {
    EXPECT_EQ(checksum_of("SELECT '\r';\r\r\nSELECT 2;"),
              util::sha256_hex("SELECT '\r';\r\nSELECT 2;"));
    EXPECT_NE(checksum_of("SELECT 1;\rSELECT 2;"), checksum_of("SELECT 1;SELECT 2;"));
}

TEST(Checksum, HeaderChangesDoNotAffectChecksum) {
    const Migration a = parse_ok("001_t.sql", "-- parents: base\n-- migrate:up\nSELECT 1;\n");
    const Migration b = parse_ok(
        "001_t.sql", "-- parents: base\n-- message: reworded\n\n-- migrate:up\nSELECT 1;\n");
    EXPECT_EQ(a.checksum, b.checksum);
}

// --- ids ----------------------------------------------------------------------------------

TEST(RevisionIds, LettersDigitsDotsDashesAndUnderscoresAreValid) {
    EXPECT_TRUE(is_valid_id("a1.b-c_D"));
    EXPECT_TRUE(is_valid_id("001"));
}

TEST(RevisionIds, IdsMustStartWithLetterOrDigit) {
    EXPECT_FALSE(is_valid_id("-1"));
    EXPECT_FALSE(is_valid_id(".hidden"));
    EXPECT_FALSE(is_valid_id("_x"));
}

TEST(RevisionIds, EmptyIdAndOtherCharactersAreInvalid) {
    EXPECT_FALSE(is_valid_id(""));
    EXPECT_FALSE(is_valid_id("a b"));
    EXPECT_FALSE(is_valid_id("a;b"));
    EXPECT_FALSE(is_valid_id("a'b"));
}

TEST(RevisionIds, TargetWordsAreReservedInAnyCase) {
    EXPECT_TRUE(is_reserved_id("base"));
    EXPECT_TRUE(is_reserved_id("Heads"));
    EXPECT_TRUE(is_reserved_id("HEAD"));
    EXPECT_FALSE(is_reserved_id("header"));
    EXPECT_FALSE(is_valid_id("heads"));
}

// --- what a file may hold ------------------------------------------------------------------

// The server reads a statement up to its first NUL byte: the file must say no more than runs.
TEST(ParseMigrationError, NulByteInAStatementIsAnErrorNamingItsLine) {
    using namespace std::string_literals;
    const std::string e = single_error("m/002_t.sql", "-- parents: 001\n"
                                                      "-- migrate:up\n"
                                                      "DELETE FROM t \0 WHERE id = 1;\n"s);
    EXPECT_EQ(e.rfind("m/002_t.sql:3: a NUL byte at column 15", 0), 0U) << e;
}

TEST(ParseMigrationError, NulByteAnywhereIsAnError) {
    using namespace std::string_literals;
    for (const std::string& text :
         {"-- parents: base\n-- message: a\0b\n-- migrate:up\nSELECT 1;\n"s,
          "-- parents: base\n-- migrate:up\nSELECT 1; -- \0\n"s,
          "-- parents: base\n-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT '\0';\n"s}) {
        SCOPED_TRACE(::testing::PrintToString(text));
        EXPECT_NE(single_error("001_t.sql", text).find("a NUL byte"), std::string::npos);
    }
}

TEST(ParseMigrationError, InvalidUtf8IsAnErrorNamingLineAndColumn) {
    const std::string e = single_error("001_t.sql", "-- parents: base\n"
                                                    "-- migrate:up\n"
                                                    "SELECT 'caf\xE9';\n");
    EXPECT_EQ(e, "001_t.sql:3: invalid UTF-8 (byte 0xE9 at column 12); save the file as UTF-8");
}

TEST(ParseMigrationError, MalformedUtf8SequencesAreErrors) {
    // A lone continuation byte, overlong forms, a surrogate, a code point above U+10FFFF, bytes
    // that never occur, and a sequence cut short by the end of the file.
    for (const std::string_view bad :
         {"\x80", "\xC0\xAF", "\xC1\xBF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF0\x80\x80\xAF",
          "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xFF", "\xE2\x82", "\xE2\x28\xA1"}) {
        SCOPED_TRACE(::testing::PrintToString(std::string(bad)));
        const std::string e = single_error(
            "001_t.sql", "-- parents: base\n-- migrate:up\nSELECT 1; -- " + std::string(bad));
        EXPECT_EQ(e.rfind("001_t.sql:3: invalid UTF-8", 0), 0U) << e;
    }
}

TEST(ParseMigration, WellFormedUtf8IsAccepted) {
    // Two-, three- and four-byte characters, at the edges of their ranges too.
    const Migration m = parse_ok("001_t.sql", "-- parents: base\n-- message: caf\xC3\xA9\n"
                                              "-- migrate:up\n"
                                              "SELECT '\xE2\x82\xAC \xF0\x9F\x98\x80 \xC2\x80 "
                                              "\xDF\xBF \xE0\xA0\x80 \xED\x9F\xBF \xEE\x80\x80 "
                                              "\xF4\x8F\xBF\xBF';\n");
    EXPECT_EQ(m.message, "caf\xC3\xA9");
}

TEST(ParseMigrationError, Utf16FileSaysToSaveItAsUtf8) {
    const std::string e = single_error("001_t.sql", std::string("\xFF\xFE-\0-\0", 6));
    EXPECT_EQ(e, "001_t.sql:1: the file is UTF-16 (it starts with a UTF-16 byte-order mark); "
                 "save it as UTF-8");
}

// Editors on Windows write one; psql would choke on it, schemagate reads past it.
TEST(ParseMigration, LeadingUtf8ByteOrderMarkIsSkippedAndChangesNothingElse) {
    const std::string with_bom = "\xEF\xBB\xBF" + std::string(k_full);
    const Migration a = parse_ok("migrations/004_x.sql", with_bom);
    const Migration b = parse_ok("migrations/004_x.sql", k_full);
    EXPECT_EQ(a.parents, b.parents);
    EXPECT_EQ(a.id, "004");
    EXPECT_EQ(a.checksum, b.checksum);
    EXPECT_EQ(a.up.first_line, b.up.first_line);
    EXPECT_EQ(a.parents_line, 1U);
    EXPECT_EQ(a.sql(a.up), b.sql(b.up));
    EXPECT_EQ(a.sql(*a.down), b.sql(*b.down));
}

TEST(ParseMigrationError, LinesAfterAByteOrderMarkKeepTheirNumbers) {
    const std::string e =
        single_error("001_t.sql", "\xEF\xBB\xBF-- parents: base\n-- colour: red\n-- migrate:up\n");
    EXPECT_EQ(e.rfind("001_t.sql:2: unknown directive 'colour'", 0), 0U) << e;
}

TEST(ParseMigrationError, ByteOrderMarkElsewhereIsNotSkipped) {
    const std::string e =
        single_error("001_t.sql", "-- parents: base\n\xEF\xBB\xBF-- message: x\n-- migrate:up\n");
    EXPECT_EQ(e.rfind("001_t.sql:2: SQL before the '-- migrate:up' marker", 0), 0U) << e;
}

// --- directives inside sections -------------------------------------------------------------

TEST(ParseMigrationError, DirectiveInUpSectionSaysToMoveItAboveTheMarker) {
    const std::string e = single_error("001_t.sql", "-- parents: base\n"
                                                    "-- migrate:up\n"
                                                    "-- statement-timeout: 2h\n"
                                                    "UPDATE t SET x = 1;\n");
    EXPECT_EQ(e, "001_t.sql:3: directive 'statement-timeout' in the up section, where it has no "
                 "effect; move it above '-- migrate:up'");
}

TEST(ParseMigrationError, DirectiveInDownSectionOrIndentedOrInParenthesesIsAnError) {
    const std::string text = "-- parents: base\n"
                             "-- migrate:up\n"
                             "CREATE TABLE t (\n"
                             "  -- Transaction: none\n"
                             "  id int\n"
                             ");\n"
                             "-- migrate:down\n"
                             "\t--lock-timeout: 5s\n"
                             "DROP TABLE t;\n";
    const std::string all = joined(parse_bad("001_t.sql", text));
    EXPECT_NE(all.find("001_t.sql:4: directive 'transaction' in the up section"), std::string::npos)
        << all;
    EXPECT_NE(all.find("001_t.sql:8: directive 'lock-timeout' in the down section"),
              std::string::npos)
        << all;
}

// Only a whole-line "--" comment with a known name is taken for a misplaced directive: the same
// text in a string, a dollar-quoted body or a block comment is SQL, as is a trailing comment.
TEST(ParseMigration, DirectiveTextThatIsSqlOrAnOrdinaryCommentIsAccepted) {
    const Migration m = parse_ok("001_t.sql", "-- parents: base\n"
                                              "-- migrate:up\n"
                                              "-- note: a comment, not a directive\n"
                                              "SELECT 1; -- message: trailing\n"
                                              "SELECT '\n"
                                              "-- message: in a string\n"
                                              "';\n"
                                              "DO $body$\n"
                                              "BEGIN\n"
                                              "-- statement-timeout: 2h\n"
                                              "END\n"
                                              "$body$;\n"
                                              "/*\n"
                                              "-- parents: base\n"
                                              "*/\n"
                                              "SELECT \"\n"
                                              "-- revision: x\n"
                                              "\";\n"
                                              "-- migrate:down\n"
                                              "SELECT $$\n"
                                              "-- lint-disable: SG101\n"
                                              "$$;\n");
    EXPECT_EQ(m.id, "001");
}

// --- both sections are checked when the file is read ------------------------------------------

TEST(ParseMigrationError, UnsplittableDownSectionIsFoundWhenTheFileIsRead) {
    const std::string e = single_error("001_t.sql", "-- parents: base\n"
                                                    "-- migrate:up\n"
                                                    "CREATE TABLE t (id int);\n"
                                                    "-- migrate:down\n"
                                                    "DROP TABLE t;\n"
                                                    "UPDATE u SET note = 'oops;\n");
    EXPECT_EQ(e, "001_t.sql:6: the down section cannot be split into statements: unterminated "
                 "quoted string; close it");
}

TEST(ParseMigrationError, UnsplittableUpSectionNamesTheLineWhereTheConstructStarts) {
    const std::string e = single_error("001_t.sql", "-- parents: base\n"
                                                    "-- migrate:up\n"
                                                    "SELECT 1;\n"
                                                    "DO $fn$\n"
                                                    "BEGIN NULL; END\n"
                                                    "-- migrate:down\n");
    EXPECT_EQ(e.rfind("001_t.sql:4: the up section cannot be split into statements: "
                      "unterminated dollar-quoted string $fn$",
                      0),
              0U)
        << e;
}

// --- long ids ---------------------------------------------------------------------------------

TEST(RevisionIds, IdsAreAtMost128Characters) {
    EXPECT_EQ(k_max_id_size, 128U);
    EXPECT_TRUE(is_valid_id(std::string(128, 'a')));
    EXPECT_FALSE(is_valid_id(std::string(129, 'a')));
}

TEST(RevisionIds, InvalidIdMessageStatesTheLimitAndShortensTheId) {
    EXPECT_EQ(invalid_id("revision id", "001"), std::nullopt);
    const auto e = invalid_id("--rev-id", std::string(300, 'a'));
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(*e, "invalid --rev-id '" + std::string(40, 'a') +
                      "...' (300 characters); revision ids are at most 128 characters");
    EXPECT_EQ(invalid_id("revision id", "a b"),
              "invalid revision id 'a b'; use letters, digits, '.', '-' and '_', not "
              "base/head/heads");
}

TEST(ParseMigrationError, LongRevisionDirectiveStatesTheLimit) {
    const std::string e =
        single_error("001_t.sql", "-- parents: base\n-- revision: " + std::string(9000, 'r') +
                                      "\n-- migrate:up\nSELECT 1;\n");
    EXPECT_EQ(e.rfind("001_t.sql:2: invalid revision id 'rrrr", 0), 0U) << e;
    EXPECT_NE(e.find("(9000 characters); revision ids are at most 128 characters"),
              std::string::npos)
        << e;
    EXPECT_LT(e.size(), 200U);
}

TEST(ParseMigrationError, LongParentStatesTheLimit) {
    const std::string e = single_error("002_t.sql", "-- parents: 001, " + std::string(200, 'p') +
                                                        "\n-- migrate:up\n");
    EXPECT_EQ(e.rfind("002_t.sql:1: invalid parent 'pppp", 0), 0U) << e;
    EXPECT_NE(e.find("(200 characters); revision ids are at most 128 characters"),
              std::string::npos)
        << e;
}

TEST(ParseMigrationError, LongIdFromTheFileNameStatesTheLimit) {
    const std::string file = "m/" + std::string(200, '7') + "_x.sql";
    const std::string e = single_error(file, "-- parents: base\n-- migrate:up\n");
    EXPECT_EQ(e.rfind(file + ": cannot take a revision id from the file name", 0), 0U) << e;
    EXPECT_NE(e.find("(200 characters); revision ids are at most 128 characters"),
              std::string::npos)
        << e;
    // A revision directive makes the file name's id irrelevant.
    EXPECT_EQ(parse_ok(file, "-- parents: base\n-- revision: 007\n-- migrate:up\n").id, "007");
}

// --- file paths ---------------------------------------------------------------------------

TEST(FilePath, FilenameAndStemAreThoseOfStdFilesystem) {
    for (const char* p :
         {"m/001_t.sql", "001_t.sql", "a/b.c/d.e.sql", "m/.sql", "m/noext", "m/", "m/..", ""}) {
        const std::filesystem::path fs(p);
        EXPECT_EQ(FilePath(p).filename(), fs.filename().string()) << p;
        EXPECT_EQ(FilePath(p).stem(), fs.stem().string()) << p;
    }
}

// --- sections' SQL -------------------------------------------------------------------------

TEST(MigrationSql, SectionOfAnotherMigrationIsRefused) {
    const Migration a = parse_ok("001_t.sql", k_minimal);
    const Migration b = parse_ok("002_t.sql", k_minimal);
    EXPECT_THROW((void)a.sql(b.up), std::logic_error);
}

TEST(MigrationSql, CopyHoldsTheSameText) {
    const Migration a = parse_ok("001_t.sql", k_minimal);
    const Migration copy = a; // NOLINT(performance-unnecessary-copy-initialization)
    EXPECT_EQ(copy.sql(copy.up), "CREATE TABLE t (id int);\n");
}

// --- load_migrations ------------------------------------------------------------------------

class LoadMigrations : public ::testing::Test {
protected:
    void write(const std::string& name, std::string_view text) const {
        m_scratch.write(name, text);
    }
    std::vector<std::string> ids() const {
        std::vector<std::string> out;
        for (const auto& m : load_migrations({m_dir})) {
            out.push_back(m.id);
        }
        return out;
    }

    testing::TempDir m_scratch;
    const std::filesystem::path m_dir = m_scratch.path();
};

TEST_F(LoadMigrations, ReadsSqlFilesInFileNameOrder) {
    write("010_c.sql", "-- parents: 002\n-- migrate:up\nSELECT 3;\n");
    write("001_a.sql", "-- parents: base\n-- migrate:up\nSELECT 1;\n");
    write("002_b.sql", "-- parents: 001\n-- migrate:up\nSELECT 2;\n");
    EXPECT_EQ(ids(), (std::vector<std::string>{"001", "002", "010"}));
}

TEST_F(LoadMigrations, PathIsTheDirectoryAsGivenJoinedWithTheFileName) {
    write("001_a.sql", k_minimal);
    EXPECT_EQ(load_migrations({m_dir}).at(0).path, (m_dir / "001_a.sql").string());
    const std::string slash = m_dir.string() + "/";
    EXPECT_EQ(load_migrations({slash}).at(0).path, slash + "001_a.sql");
}

TEST_F(LoadMigrations, IgnoresHiddenNamesAndNamesNotEndingInSql) {
    write("001_a.sql", k_minimal);
    write(".002_hidden.sql", "not a migration");
    write("003_notes.txt", "not a migration");
    write("001_a.sql~", "an editor's backup");
    write("001_a.sql.bak", "an editor's backup");
    write(".001_a.sql.swp", "an editor's swap file");
    std::filesystem::create_directory(m_dir / ".git");
    EXPECT_EQ(ids(), (std::vector<std::string>{"001"}));
}

// What a run would otherwise skip while exiting 0: each entry that looks like a migration but
// cannot be read as a regular "*.sql" file is an error naming it.
TEST_F(LoadMigrations, RefusesEntriesNamedSqlThatAreNotRegularFiles) {
    write("001_a.sql", k_minimal);
    std::filesystem::create_directory(m_dir / "002_dir.sql");
    std::filesystem::create_symlink(m_dir / "nowhere.sql", m_dir / "003_dangling.sql");
    std::filesystem::create_symlink("004_loop.sql", m_dir / "004_loop.sql");
    // Opening a FIFO with no writer blocks: the loader must not try.
    ASSERT_EQ(::mkfifo((m_dir / "005_fifo.sql").c_str(), 0600), 0);
    try {
        (void)load_migrations({m_dir});
        ADD_FAILURE() << "no IntegrityError";
    } catch (const IntegrityError& e) {
        const std::string what = e.what();
        for (const char* expected :
             {"002_dir.sql: a directory", "003_dangling.sql: a dangling symlink",
              "004_loop.sql: a symlink loop", "005_fifo.sql: a FIFO, not a regular file"}) {
            EXPECT_NE(what.find((m_dir / expected).string()), std::string::npos) << expected << "\n"
                                                                                 << what;
        }
    }
}

TEST_F(LoadMigrations, RefusesSqlExtensionInAnotherCase) {
    write("001_a.sql", k_minimal);
    write("002_b.SQL", "-- parents: 001\n-- migrate:up\nSELECT 2;\n");
    try {
        (void)load_migrations({m_dir});
        ADD_FAILURE() << "no IntegrityError";
    } catch (const IntegrityError& e) {
        EXPECT_NE(std::string(e.what()).find(
                      (m_dir / "002_b.SQL").string() +
                      ": a migration's name must end in '.sql', in lower case; rename it to "
                      "002_b.sql"),
                  std::string::npos)
            << e.what();
    }
}

// A ConfigMap mounted as a directory: each file is a link through ..data to a timestamped
// folder, whose names start with '.', so each migration is read once.
TEST_F(LoadMigrations, FollowsLinksAsAConfigMapLaysThemOut) {
    std::filesystem::create_directory(m_dir / "..2024_01_01");
    std::ofstream(m_dir / "..2024_01_01" / "001_a.sql") << k_minimal;
    std::filesystem::create_directory_symlink("..2024_01_01", m_dir / "..data");
    std::filesystem::create_symlink("..data/001_a.sql", m_dir / "001_a.sql");
    const auto ms = load_migrations({m_dir});
    ASSERT_EQ(ms.size(), 1U);
    EXPECT_EQ(ms[0].sql(ms[0].up), "CREATE TABLE t (id int);\n");
}

TEST_F(LoadMigrations, MissingDirectoryIsAUsageErrorNamingIt) {
    try {
        (void)load_migrations({m_dir / "nope"});
        ADD_FAILURE() << "no UsageError";
    } catch (const UsageError& e) {
        EXPECT_EQ(std::string(e.what()), "migrations directory '" + (m_dir / "nope").string() +
                                             "' does not exist; pass --dir or create it");
    }
}

TEST_F(LoadMigrations, ListsEveryProblemOfEveryBadFileWithFileAndLine) {
    write("001_a.sql", "-- parents: base\n-- colour: red\n-- migrate:up\nSELECT 1;\n");
    write("002_b.sql", "-- parents: 001\nSELECT 1;\n");
    try {
        (void)load_migrations({m_dir});
        ADD_FAILURE() << "no IntegrityError";
    } catch (const IntegrityError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find((m_dir / "001_a.sql").string() + ":2: unknown directive 'colour'"),
                  std::string::npos)
            << what;
        EXPECT_NE(what.find((m_dir / "002_b.sql").string() + ":2: SQL before the"),
                  std::string::npos)
            << what;
        EXPECT_NE(what.find((m_dir / "002_b.sql").string() + ": no '-- migrate:up' section"),
                  std::string::npos)
            << what;
    }
}

// A directory of hundreds of files: the migrations and the problems come in file-name order.
TEST_F(LoadMigrations, ManyFilesKeepFileNameOrderAndProblemOrder) {
    constexpr int k_files = 600;
    char name[32];
    for (int i = 1; i <= k_files; ++i) {
        std::snprintf(name, sizeof name, "%04d_m.sql", i);
        const bool bad = i == 7 || i == 450;
        write(name, bad ? std::string("-- parents: base\nSELECT 1;\n")
                        : "-- parents: base\n-- migrate:up\nSELECT " + std::to_string(i) + ";\n");
    }
    try {
        (void)load_migrations({m_dir});
        ADD_FAILURE() << "no IntegrityError";
    } catch (const IntegrityError& e) {
        const std::string what = e.what();
        const auto first = what.find((m_dir / "0007_m.sql").string());
        const auto second = what.find((m_dir / "0450_m.sql").string());
        ASSERT_NE(first, std::string::npos) << what;
        ASSERT_NE(second, std::string::npos) << what;
        EXPECT_LT(first, second) << what;
    }
    std::filesystem::remove(m_dir / "0007_m.sql");
    std::filesystem::remove(m_dir / "0450_m.sql");
    const auto got = ids();
    ASSERT_EQ(got.size(), static_cast<std::size_t>(k_files - 2));
    EXPECT_TRUE(std::is_sorted(got.begin(), got.end()));
    EXPECT_EQ(got.front(), "0001");
    EXPECT_EQ(got.back(), "0600");
}

TEST_F(LoadMigrations, SectionsAreReadAgainFromTheFile) {
    write("001_a.sql", "-- parents: base\r\n-- migrate:up\r\nSELECT 1;\r\n"
                       "-- migrate:down\r\nSELECT 2;\r\n");
    const auto ms = load_migrations({m_dir});
    ASSERT_EQ(ms.size(), 1U);
    EXPECT_EQ(ms[0].sql(ms[0].up), "SELECT 1;\r\n");
    EXPECT_EQ(ms[0].sql(*ms[0].down), "SELECT 2;\r\n");
    EXPECT_EQ(ms[0].checksum, checksum_of("SELECT 1;"));
}

TEST_F(LoadMigrations, FileChangedAfterLoadingIsAnIntegrityErrorNamingIt) {
    write("001_a.sql", k_minimal);
    const auto ms = load_migrations({m_dir});
    write("001_a.sql", "-- parents: base\n-- migrate:up\nDROP TABLE t;\n");
    try {
        (void)ms.at(0).sql(ms[0].up);
        ADD_FAILURE() << "no IntegrityError";
    } catch (const IntegrityError& e) {
        EXPECT_EQ(std::string(e.what()).rfind(ms[0].path.string() + ": the file changed while "
                                                                    "schemagate ran",
                                              0),
                  0U)
            << e.what();
    }
}

TEST_F(LoadMigrations, TrySqlOfAFileChangedAfterLoadingIsNothing) {
    write("001_a.sql", k_minimal);
    write("002_b.sql", "-- parents: 001\n-- migrate:up\nSELECT 2;\n");
    const auto ms = load_migrations({m_dir});
    write("001_a.sql", "-- parents: base\n-- migrate:up\nDROP TABLE t;\n");
    EXPECT_EQ(ms.at(1).try_sql(ms[1].up), "SELECT 2;\n");
    EXPECT_EQ(ms[0].try_sql(ms[0].up), std::nullopt);
}

// The last file read is kept, so that its other section costs no system call: it is the text
// as loaded, checked when it was read, even if the file changes in between.
TEST_F(LoadMigrations, SecondSectionOfTheFileReadLastIsTheTextAsLoaded) {
    write("001_a.sql", k_minimal);
    const auto ms = load_migrations({m_dir});
    EXPECT_EQ(ms.at(0).sql(ms[0].up), "CREATE TABLE t (id int);\n");
    write("001_a.sql", "-- parents: base\n-- migrate:up\nDROP TABLE t;\n");
    EXPECT_EQ(ms[0].sql(*ms[0].down), "DROP TABLE t;\n");
}

TEST_F(LoadMigrations, FileRemovedAfterLoadingIsAnIntegrityErrorNamingIt) {
    write("001_a.sql", k_minimal);
    const auto ms = load_migrations({m_dir});
    std::filesystem::remove(m_dir / "001_a.sql");
    try {
        (void)ms.at(0).sql(ms[0].up);
        ADD_FAILURE() << "no IntegrityError";
    } catch (const IntegrityError& e) {
        EXPECT_EQ(std::string(e.what()).rfind(ms[0].path.string() + ": the file went away", 0), 0U)
            << e.what();
    }
}

} // namespace
} // namespace schemagate::migration
