// The exit-code contract (util/error.hpp) against what depends on it: the Jobs' podFailurePolicy
// in deploy/ and the chart, and the metrics' failure reasons.
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include <schemagate/metrics/metrics.hpp>
#include <schemagate/util/error.hpp>

namespace schemagate {
namespace {

// The exit codes of the podFailurePolicy rule with `action` in the manifest at `path`: the
// `values: [...]` line that follows the action's line.
std::set<int> rule_codes(const std::string& path, const std::string& action) {
    std::ifstream in(std::string(SCHEMAGATE_SOURCE_DIR) + "/" + path);
    EXPECT_TRUE(in) << path;
    std::string line;
    bool in_rule = false;
    while (std::getline(in, line)) {
        if (line.find("action: " + action) != std::string::npos) {
            in_rule = true;
        } else if (in_rule && line.find("values: [") != std::string::npos) {
            std::string list = line.substr(line.find('[') + 1);
            list = list.substr(0, list.find(']'));
            for (char& c : list) {
                c = c == ',' ? ' ' : c;
            }
            std::istringstream numbers(list);
            std::set<int> out;
            for (int code = 0; numbers >> code;) {
                out.insert(code);
            }
            return out;
        }
    }
    ADD_FAILURE() << path << ": no podFailurePolicy rule with action " << action;
    return {};
}

std::set<int> codes_where(Transient transient) {
    std::set<int> out;
    for (const auto& info : k_exit_codes) {
        if (info.code != ExitCode::success && info.transient == transient) {
            out.insert(static_cast<int>(info.code));
        }
    }
    return out;
}

class PodFailurePolicy : public testing::TestWithParam<std::string> {};

TEST_P(PodFailurePolicy, FailsTheJobOnEveryCodeThatIsNotTransient) {
    EXPECT_EQ(rule_codes(GetParam(), "FailJob"), codes_where(Transient::no));
}

TEST_P(PodFailurePolicy, CountsOnlyTransientCodesAgainstTheBackoffLimit) {
    const auto counted = rule_codes(GetParam(), "Count");
    const auto transient = codes_where(Transient::yes);
    for (int code : counted) {
        EXPECT_TRUE(transient.count(code)) << code << " is counted but not transient";
    }
    EXPECT_TRUE(counted.count(static_cast<int>(ExitCode::lock_timeout)));
    EXPECT_TRUE(counted.count(static_cast<int>(ExitCode::unreachable)));
}

INSTANTIATE_TEST_SUITE_P(Manifests, PodFailurePolicy,
                         testing::Values("deploy/job.yaml",
                                         "charts/schemagate/templates/hook-migrate-job.yaml"),
                         [](const testing::TestParamInfo<std::string>& p) {
                             return p.index == 0 ? std::string("deploy") : std::string("chart");
                         });

TEST(ExitCodes, EachFailureHasItsOwnMetricsReason) {
    std::set<std::string> reasons;
    for (const auto& info : k_exit_codes) {
        if (info.code == ExitCode::success) {
            continue;
        }
        const auto reason = metrics::failure_reason(static_cast<int>(info.code));
        EXPECT_EQ(reason, info.name);
        reasons.insert(reason);
    }
    EXPECT_EQ(reasons.size(), k_exit_codes.size() - 1);
    EXPECT_EQ(metrics::failure_reason(42), "other");
}

TEST(ExitCodes, AnInternalErrorIsNotAMigrationFailure) {
    EXPECT_EQ(static_cast<int>(ExitCode::internal), 70);
    EXPECT_NE(ExitCode::internal, ExitCode::migration_failed);
}

} // namespace
} // namespace schemagate
