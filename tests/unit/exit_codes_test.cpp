// The exit-code contract (util/error.hpp) against the metrics' failure reasons. The Jobs'
// podFailurePolicy in deploy/ and the chart is checked against it by
// tests/k8s/job_failure_policy_maps_exit_codes.test.mjs, on the rendered manifests.
#include <set>
#include <string>

#include <gtest/gtest.h>

#include <schemagate/metrics/metrics.hpp>
#include <schemagate/util/error.hpp>

namespace schemagate {
namespace {

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

TEST(ExitCodes, TransientCodesAreExactlyThoseAJobOrAScriptMayRetry) {
    std::set<int> transient;
    for (const auto& info : k_exit_codes) {
        if (info.transient == Transient::yes) {
            transient.insert(static_cast<int>(info.code));
        }
    }
    EXPECT_EQ(transient, (std::set<int>{3, 5, 6, 130}));
}

TEST(ExitCodes, AnInternalErrorIsNotAMigrationFailure) {
    EXPECT_EQ(static_cast<int>(ExitCode::internal), 70);
    EXPECT_NE(ExitCode::internal, ExitCode::migration_failed);
}

} // namespace
} // namespace schemagate
