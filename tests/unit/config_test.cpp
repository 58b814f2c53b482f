#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <schemagate/config/config.hpp>
#include <schemagate/util/error.hpp>
#include <schemagate/util/secrets.hpp>

#include <support/temp_dir.hpp>

namespace schemagate::config {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

using testing::TempDir;

// Lays out a directory the way the kubelet mounts a ConfigMap: the files in a timestamped
// folder, ..data pointing at it, and one link per key.
fs::path configmap(const TempDir& scratch, const std::map<std::string, std::string>& keys) {
    const fs::path dir = scratch.path() / "configmap";
    const fs::path stamped = dir / "..2026_11_21_06_00_00.000000001";
    fs::create_directories(stamped);
    for (const auto& [key, value] : keys) {
        std::ofstream(stamped / key) << value;
    }
    fs::create_directory_symlink(stamped.filename(), dir / "..data");
    for (const auto& [key, value] : keys) {
        fs::create_symlink(fs::path("..data") / key, dir / key);
    }
    return dir;
}

Settings flag(const std::string& name, const std::string& value) {
    return {{name, {{value}, "flag --" + name}}};
}

TEST(Gather, FlagBeatsEnvironmentBeatsConfigFileBeatsConfigDir) {
    TempDir scratch;
    const auto file = scratch.write("sg.conf", "lock-timeout = 3m\nstatement-timeout = 3m\n"
                                               "ddl-lock-timeout = 3s\n");
    const auto dir = configmap(scratch, {{"lock-timeout", "4m\n"},
                                         {"statement-timeout", "4m\n"},
                                         {"ddl-lock-timeout", "4s\n"},
                                         {"lock-retries", "4\n"}});
    Settings flags = flag("lock-timeout", "1m");
    flags["config-dir"] = {{dir.string()}, "flag --config-dir"};
    const Environment env = {{"SCHEMAGATE_STATEMENT_TIMEOUT", "2m"},
                             {"SCHEMAGATE_LOCK_TIMEOUT", "2m"},
                             {"SCHEMAGATE_CONFIG", file.string()}};
    const Settings s = gather(flags, env);
    EXPECT_EQ(s.at("lock-timeout").source, "flag --lock-timeout");
    EXPECT_EQ(s.at("statement-timeout").source, "env SCHEMAGATE_STATEMENT_TIMEOUT");
    EXPECT_EQ(s.at("ddl-lock-timeout").source, "config file " + file.string() + ":3");
    EXPECT_EQ(s.at("lock-retries").source, "config dir " + (dir / "lock-retries").string());
    const Config c = resolve(s);
    EXPECT_EQ(c.lock_timeout, 1min);
    EXPECT_EQ(c.statement_timeout, 2min);
    EXPECT_EQ(c.ddl_lock_timeout, 3s);
    EXPECT_EQ(c.lock_retries, 4);
}

TEST(Gather, ConfigMapDirectoryYieldsEachKeyOnceAndSkipsItsHiddenEntries) {
    TempDir scratch;
    const auto dir = configmap(
        scratch, {{"dir", "/migrations/a\n/migrations/b\n"}, {"history-table", "ops.history\n"}});
    const Settings s = gather({{"config-dir", {{dir.string()}, "flag --config-dir"}}}, {});
    EXPECT_EQ(s.size(), 3U); // config-dir, dir, history-table: nothing from ..data
    const Config c = resolve(s);
    EXPECT_EQ(c.dirs, (std::vector<fs::path>{"/migrations/a", "/migrations/b"}));
    EXPECT_EQ(c.history_table.display(), "ops.history");
}

TEST(Gather, AListFlagSplitsOnCommasAsTheOtherSourcesDo) {
    const Settings s = gather({{"dir", {{"a, b", "c"}, "flag --dir"}}}, {});
    EXPECT_EQ(s.at("dir").values, (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_EQ(s.at("dir").source, "flag --dir");
}

TEST(Gather, UnknownEnvironmentVariableNamesTheVariable) {
    try {
        gather({}, {{"SCHEMAGATE_LOCK_TIMOUT", "1s"}});
        FAIL() << "expected UsageError";
    } catch (const UsageError& e) {
        EXPECT_NE(std::string(e.what()).find("SCHEMAGATE_LOCK_TIMOUT"), std::string::npos)
            << e.what();
    }
}

TEST(Gather, UnknownConfigFileKeyNamesFileAndLine) {
    TempDir scratch;
    const auto file = scratch.write("sg.conf", "# comment\n\nlok-timeout = 1s\n");
    try {
        gather(flag("config", file.string()), {});
        FAIL() << "expected UsageError";
    } catch (const UsageError& e) {
        EXPECT_NE(std::string(e.what()).find(file.string() + ":3: no option is called "
                                                             "'lok-timeout'"),
                  std::string::npos)
            << e.what();
    }
}

TEST(Gather, UnknownConfigDirFileNamesTheFile) {
    TempDir scratch;
    const auto dir = configmap(scratch, {{"lock_timeout", "1s"}});
    try {
        gather(flag("config-dir", dir.string()), {});
        FAIL() << "expected UsageError";
    } catch (const UsageError& e) {
        EXPECT_NE(std::string(e.what()).find((dir / "lock_timeout").string()), std::string::npos)
            << e.what();
    }
}

TEST(Gather, RepeatedScalarInConfigFileIsAnError) {
    TempDir scratch;
    const auto file = scratch.write("sg.conf", "log-level = info\nlog-level = debug\n");
    EXPECT_THROW(gather(flag("config", file.string()), {}), UsageError);
}

TEST(Gather, DatabaseUrlVariableIsTheLastResort) {
    const Settings s = gather({}, {{"DATABASE_URL", "postgresql://a@b/c"},
                                   {"SCHEMAGATE_DATABASE_URL", "postgresql://x@y/z"}});
    EXPECT_EQ(s.at("database-url").values.front(), "postgresql://x@y/z");
    EXPECT_EQ(gather({}, {{"DATABASE_URL", "postgresql://a@b/c"}}).at("database-url").source,
              "env DATABASE_URL");
}

TEST(Gather, OtherVariablesAreIgnored) {
    EXPECT_TRUE(gather({}, {{"SCHEMAGATE", "/usr/bin/schemagate"}, {"HOME", "/root"}}).empty());
}

TEST(Resolve, BadValueNamesItsSource) {
    try {
        resolve({{"lock-timeout", {{"soon"}, "env SCHEMAGATE_LOCK_TIMEOUT"}}});
        FAIL() << "expected UsageError";
    } catch (const UsageError& e) {
        EXPECT_NE(std::string(e.what()).find("lock-timeout (from env SCHEMAGATE_LOCK_TIMEOUT)"),
                  std::string::npos)
            << e.what();
    }
}

TEST(Resolve, TogglesReadTrueAndFalseFromFilesAndEnvironment) {
    EXPECT_TRUE(resolve({{"allow-drift", {{"yes"}, "env"}}}).allow_drift);
    EXPECT_FALSE(resolve({{"allow-drift", {{"false"}, "env"}}}).allow_drift);
    EXPECT_THROW(resolve({{"allow-drift", {{"maybe"}, "env"}}}), UsageError);
}

TEST(Resolve, PasswordFileIsAddedToTheConnectionStringAndRegisteredAsSecret) {
    TempDir scratch;
    const auto pw = scratch.write("password", "Canary'Pw\\7\n");
    const Config c = resolve({{"database-url", {{"postgresql://app@db:5432/app"}, "flag"}},
                              {"database-password-file", {{pw.string()}, "flag"}}});
    EXPECT_NE(c.database().text().find("password='Canary\\'Pw\\\\7'"), std::string::npos)
        << c.database().redacted();
    EXPECT_EQ(util::scrub("x Canary'Pw\\7 y"), "x *** y");
}

TEST(Resolve, PushgatewayPasswordIsRegisteredAsSecret) {
    const Config c = resolve({{"pushgateway", {{"http://ops:Push%2Fpw9@gw:9091"}, "flag"}}});
    EXPECT_EQ(c.pushgateway, "http://ops:Push%2Fpw9@gw:9091");
    EXPECT_EQ(util::scrub("a Push/pw9 b Push%2Fpw9"), "a *** b ***");
    EXPECT_EQ(util::redact_conninfo(c.pushgateway), "http://ops:***@gw:9091");
}

TEST(Resolve, ControlCharacterInAnOptionIsRefusedNamingOptionAndSource) {
    for (const std::string source :
         {"flag --history-table", "env SCHEMAGATE_HISTORY_TABLE", "config file /etc/sg.conf:3",
          "config dir /etc/sg/history-table"}) {
        try {
            resolve({{"history-table", {{"hist\n;DROP TABLE users;--"}, source}}});
            FAIL() << "expected UsageError";
        } catch (const UsageError& e) {
            const std::string what = e.what();
            EXPECT_NE(what.find("history-table (from " + source + ")"), std::string::npos) << what;
            EXPECT_EQ(what.find('\n'), std::string::npos) << what;
        }
    }
    EXPECT_THROW(resolve({{"dir", {{"db\x1b[2J"}, "env SCHEMAGATE_DIR"}}}), UsageError);
}

TEST(Resolve, KeywordConnectionStringMayBeWrittenOverSeveralLines) {
    const Config c = resolve({{"database-url", {{"host=db\nuser=app"}, "config dir x"}}});
    EXPECT_EQ(c.database().text(), "host=db\nuser=app");
}

TEST(Resolve, UnparsableDatabaseUrlIsRefusedWhenTheDatabaseIsNeededWithoutThePassword) {
    const Config c =
        resolve({{"database-url", {{"postgresql://u:Deferr3dPw@h/db?bogus=1"}, "flag"}},
                 {"history-table", {{"ops.hist"}, "flag"}}});
    EXPECT_EQ(c.history_table.display(), "ops.hist");
    try {
        (void)c.database();
        FAIL() << "expected UsageError";
    } catch (const UsageError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("invalid database connection string"), std::string::npos) << what;
        EXPECT_EQ(what.find("Deferr3dPw"), std::string::npos) << what;
    }
}

TEST(Resolve, UnreadablePasswordFileIsAUsageError) {
    EXPECT_THROW(resolve({{"database-password-file", {{"/nonexistent/pw"}, "flag"}}}), UsageError);
}

// The message of the UsageError `f` throws, or "" when it throws none.
template <typename F> std::string usage_error(F&& f) {
    try {
        f();
    } catch (const UsageError& e) {
        return e.what();
    }
    return "";
}

struct BadValue {
    const char* option;
    const char* value;
    const char* says; // part of the message after "OPTION (from SOURCE): "
};

// One bad value of every typed option: each is a UsageError naming the option and its source.
TEST(Resolve, EveryBadValueIsAUsageErrorNamingOptionAndSource) {
    const BadValue cases[] = {
        {"lock-timeout", "soon", "invalid duration 'soon'"},
        {"ddl-lock-timeout", "-1s", "invalid duration '-1s'"},
        {"statement-timeout", "9999h", "is longer than a year"},
        {"statement-timeout", "", "empty duration"},
        {"linger", "5 minutes", "invalid duration"},
        {"interval", "99999999999ms", "invalid duration"},
        {"interval", "1ms", "1ms is below the floor of 1s"},
        {"interval", "0", "0ms is below the floor of 1s"},
        {"lock-retries", "100000000000000000000", "is too many; use at most 1000"},
        {"lock-retries", "1001", "is too many; use at most 1000"},
        {"lock-retries", "-1", "is not a whole number of retries"},
        {"lock-retries", "ten", "is not a whole number of retries"},
        {"lock-retries", "", "is not a whole number of retries"},
        {"allow-drift", "maybe", "is not true or false"},
        {"allow-unknown", "", "is not true or false"},
        {"log-level", "loud", "'loud' is not a log level"},
        {"log-level", "INFO", "'INFO' is not a log level"},
        {"log-format", "xml", "is not text or json"},
        {"listen", "9090", "is not ADDRESS:PORT"},
        {"listen", "0.0.0.0:65536", "is not ADDRESS:PORT"},
        {"listen", "0.0.0.0:http", "is not ADDRESS:PORT"},
        {"listen", "0.0.0.0:", "is not ADDRESS:PORT"},
        {"pushgateway", "http://gw", "is not http://HOST:PORT"},
        {"pushgateway", "ftp://gw:21", "is not http://HOST:PORT"},
        {"pushgateway", "http://gw:0", "is not http://HOST:PORT"},
        {"history-table", "a.b.c", ""},
        {"database-password-file", "/nonexistent/pw", "cannot read /nonexistent/pw"},
    };
    for (const auto& c : cases) {
        const std::string source = std::string("env SCHEMAGATE_") + c.option;
        const std::string message = usage_error([&] {
            resolve({{c.option, {{c.value}, source}}});
        });
        const std::string prefix = std::string(c.option) + " (from " + source + "): ";
        EXPECT_EQ(message.rfind(prefix, 0), 0u)
            << c.option << " = '" << c.value << "': " << message;
        EXPECT_NE(message.find(c.says), std::string::npos)
            << c.option << " = '" << c.value << "': " << message;
    }
}

TEST(Resolve, GoodValuesAtTheLimitsAreAccepted) {
    EXPECT_EQ(resolve({{"lock-retries", {{"1000"}, "flag"}}}).lock_retries, 1000);
    EXPECT_EQ(resolve({{"lock-retries", {{"0"}, "flag"}}}).lock_retries, 0);
    EXPECT_EQ(resolve({{"interval", {{"1s"}, "flag"}}}).interval, 1s);
    EXPECT_EQ(resolve({{"listen", {{":0"}, "flag"}}}).listen, ":0");
    EXPECT_EQ(resolve({{"listen", {{"[::1]:65535"}, "flag"}}}).listen, "[::1]:65535");
    EXPECT_EQ(resolve({{"log-level", {{"warn"}, "flag"}}}).log_level, "warn");
    EXPECT_EQ(resolve({{"pushgateway", {{"https://gw:9091"}, "flag"}}}).pushgateway,
              "https://gw:9091");
}

TEST(Resolve, PushgatewayErrorHidesItsPassword) {
    const std::string message = usage_error([] {
        resolve({{"pushgateway", {{"http://ops:Push7Secret@gw"}, "flag --pushgateway"}}});
    });
    EXPECT_NE(message.find("'http://ops:***@gw'"), std::string::npos) << message;
    EXPECT_EQ(message.find("Push7Secret"), std::string::npos) << message;
}

TEST(Resolve, TerminationLogIsGivenOnlyWhenSomeSourceSetsIt) {
    EXPECT_FALSE(resolve({}).termination_log_given);
    EXPECT_EQ(resolve({}).termination_log, "/dev/termination-log");
    const Config c = resolve({{"termination-log", {{"/tmp/t"}, "env SCHEMAGATE_TERMINATION_LOG"}}});
    EXPECT_TRUE(c.termination_log_given);
    EXPECT_EQ(c.termination_log, "/tmp/t");
}

TEST(Resolve, PasswordFileThatIsADirectoryIsAUsageError) {
    TempDir scratch;
    const std::string message = usage_error([&] {
        resolve({{"database-password-file", {{scratch.path().string()}, "flag --x"}}});
    });
    EXPECT_NE(message.find("is a directory"), std::string::npos) << message;
}

TEST(Gather, ConfigFileThatIsADirectoryNamesItsSource) {
    TempDir scratch;
    const std::string message = usage_error([&] {
        gather({}, {{"SCHEMAGATE_CONFIG", scratch.path().string()}});
    });
    EXPECT_EQ(message.rfind("config (from env SCHEMAGATE_CONFIG): " + scratch.path().string() +
                                " is a directory",
                            0),
              0u)
        << message;
}

TEST(Gather, MissingConfigFileSaysWhy) {
    const std::string message =
        usage_error([] { gather(flag("config", "/nonexistent/sg.conf"), {}); });
    EXPECT_EQ(message.rfind("config (from flag --config): cannot read /nonexistent/sg.conf (No "
                            "such file or directory)",
                            0),
              0u)
        << message;
}

TEST(Gather, MissingConfigDirSaysWhy) {
    const std::string message = usage_error([] {
        gather({}, {{"SCHEMAGATE_CONFIG_DIR", "/nonexistent/cm"}});
    });
    EXPECT_EQ(message.rfind("config-dir (from env SCHEMAGATE_CONFIG_DIR): /nonexistent/cm cannot "
                            "be read (No such file or directory)",
                            0),
              0u)
        << message;
}

TEST(Gather, DirectoryInConfigDirIsAnError) {
    TempDir scratch;
    const fs::path dir = configmap(scratch, {{"linger", "1s"}});
    fs::create_directory(dir / "lock-timeout");
    const std::string message = usage_error([&] { gather(flag("config-dir", dir.string()), {}); });
    EXPECT_NE(message.find((dir / "lock-timeout").string() + ": not a file"), std::string::npos)
        << message;
}

TEST(Gather, BrokenLinkInConfigDirIsAnError) {
    TempDir scratch;
    const fs::path dir = configmap(scratch, {{"linger", "1s"}});
    fs::create_symlink("..data/dir", dir / "dir");
    const std::string message = usage_error([&] { gather(flag("config-dir", dir.string()), {}); });
    EXPECT_NE(message.find((dir / "dir").string() + ": cannot read it"), std::string::npos)
        << message;
}

} // namespace
} // namespace schemagate::config
