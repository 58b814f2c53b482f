#include <schemagate/metrics/metrics.hpp>

#include <ctime>
#include <mutex>
#include <optional>
#include <set>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <schemagate/http/http_client.hpp>
#include <schemagate/util/error.hpp>

namespace schemagate::metrics {

namespace {

// What prometheus-cpp's Gateway::Push(), used before, sent: POST, which replaces the pushed
// metric families of the group (PUT would replace the whole group), with this content type.
constexpr http::Method k_push_method = http::Method::post;
constexpr const char* k_exposition_content_type = "text/plain; version=0.0.4; charset=utf-8";
// A Pushgateway that hangs must not hold the Job open: each of connect, send and read waits
// this long at most.
constexpr std::chrono::seconds k_push_timeout{10};

double seconds(std::chrono::milliseconds d) {
    return static_cast<double>(d.count()) / 1000.0;
}

} // namespace

struct Metrics::Families {
    prometheus::Family<prometheus::Gauge>& pending;
    prometheus::Family<prometheus::Gauge>& ready;
    prometheus::Family<prometheus::Counter>& applied;
    prometheus::Family<prometheus::Counter>& failures;
    prometheus::Family<prometheus::Histogram>& duration;
    prometheus::Family<prometheus::Histogram>& lock_wait;
    prometheus::Family<prometheus::Counter>& retries;
    prometheus::Family<prometheus::Gauge>& last_success;
    prometheus::Family<prometheus::Gauge>& current;
    prometheus::Family<prometheus::Gauge>& build;
    std::mutex mutex; // guards the set of current-revision series
    std::set<std::string> current_revisions;
};

Metrics::Metrics(const std::string& version)
    : m_registry(std::make_shared<prometheus::Registry>()) {
    auto& r = *m_registry;
    m_families.reset(new Families{
        prometheus::BuildGauge()
            .Name("schemagate_pending_migrations")
            .Help("Revisions not yet applied on the way to the target")
            .Register(r),
        prometheus::BuildGauge()
            .Name("schemagate_schema_ready")
            .Help("1 when the database is at the target, else 0")
            .Register(r),
        prometheus::BuildCounter()
            .Name("schemagate_migrations_applied_total")
            .Help("Revisions applied (direction=up) or undone (direction=down) by this process")
            .Register(r),
        prometheus::BuildCounter()
            .Name("schemagate_migration_failures_total")
            .Help("Runs and checks that failed, by reason")
            .Register(r),
        prometheus::BuildHistogram()
            .Name("schemagate_migration_duration_seconds")
            .Help("Time to run one revision, retries included")
            .Register(r),
        prometheus::BuildHistogram()
            .Name("schemagate_lock_wait_seconds")
            .Help("Time spent waiting for the migration lock")
            .Register(r),
        prometheus::BuildCounter()
            .Name("schemagate_lock_retries_total")
            .Help("Steps run again after a lock_timeout or a deadlock")
            .Register(r),
        prometheus::BuildGauge()
            .Name("schemagate_last_success_timestamp_seconds")
            .Help("Unix time of the last run that reached its target")
            .Register(r),
        prometheus::BuildGauge()
            .Name("schemagate_current_revision_info")
            .Help("1 for each revision the database is at (applied, no applied child)")
            .Register(r),
        prometheus::BuildGauge()
            .Name("schemagate_build_info")
            .Help("1, labelled with the schemagate version")
            .Register(r),
        {},
        {},
    });
    // Series that exist from the start, so dashboards see zeros rather than gaps.
    m_families->pending.Add({});
    m_families->ready.Add({});
    m_families->applied.Add({{"direction", "up"}});
    m_families->applied.Add({{"direction", "down"}});
    m_families->retries.Add({});
    m_families->last_success.Add({});
    m_families->build.Add({{"version", version}}).Set(1);
}

Metrics::~Metrics() = default;

void Metrics::lock_waited(std::chrono::milliseconds waited) {
    static const prometheus::Histogram::BucketBoundaries k_buckets{0.01, 0.1, 0.5, 1,  5,
                                                                   15,   60,  300, 900};
    m_families->lock_wait.Add({}, k_buckets).Observe(seconds(waited));
}

void Metrics::step_retried(const std::string& /*id*/) {
    m_families->retries.Add({}).Increment();
}

void Metrics::step_done(const std::string& /*id*/, migration::Direction direction,
                        std::chrono::milliseconds took) {
    static const prometheus::Histogram::BucketBoundaries k_buckets{0.01, 0.05, 0.25, 1,   5,
                                                                   30,   120,  600,  3600};
    m_families->duration.Add({}, k_buckets).Observe(seconds(took));
    m_families->applied.Add({{"direction", direction == migration::Direction::up ? "up" : "down"}})
        .Increment();
}

void Metrics::failed(const std::string& reason) {
    m_families->failures.Add({{"reason", reason}}).Increment();
}

void Metrics::succeeded() {
    m_families->last_success.Add({}).Set(static_cast<double>(std::time(nullptr)));
}

void Metrics::set_ready(bool ready) {
    m_families->ready.Add({}).Set(ready ? 1 : 0);
}

void Metrics::set_state(std::size_t pending, bool ready, const std::vector<std::string>& current) {
    m_families->pending.Add({}).Set(static_cast<double>(pending));
    set_ready(ready);
    const std::lock_guard lock(m_families->mutex);
    const std::set<std::string> now(current.begin(), current.end());
    for (const auto& old : m_families->current_revisions) {
        if (!now.count(old)) {
            auto& gauge = m_families->current.Add({{"revision", old}});
            m_families->current.Remove(&gauge);
        }
    }
    for (const auto& id : now) {
        m_families->current.Add({{"revision", id}}).Set(1);
    }
    m_families->current_revisions = now;
}

std::string Metrics::exposition() const {
    return prometheus::TextSerializer().Serialize(m_registry->Collect());
}

tl::expected<void, std::string> Metrics::push(const std::string& url,
                                              const std::string& job) const {
    const std::optional<http::Endpoint> gateway = http::parse_endpoint(url);
    if (!gateway) {
        return tl::unexpected("--pushgateway '" + http::redact_url(url) +
                              "': use http://HOST:PORT");
    }
    const auto status = http::send(k_push_method, *gateway, "/metrics/job/" + job, exposition(),
                                   k_exposition_content_type, k_push_timeout);
    if (!status) {
        return tl::unexpected("the Pushgateway at " + http::redact_url(url) + ": " +
                              status.error());
    }
    if (*status < 200 || *status >= 300) {
        return tl::unexpected("the Pushgateway at " + http::redact_url(url) + " answered " +
                              std::to_string(*status));
    }
    return {};
}

std::string failure_reason(int exit_code) {
    const ExitCodeInfo* info = find_exit_code(exit_code);
    return info != nullptr && info->code != ExitCode::success ? std::string(info->name) : "other";
}

} // namespace schemagate::metrics
