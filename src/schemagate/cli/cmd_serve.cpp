// `wait` (the init container) and `serve` (the long-running readiness and metrics server).
#include <string>

#include <schemagate/app/watch.hpp>
#include <schemagate/cli/command.hpp>
#include <schemagate/util/duration.hpp>
#include <schemagate/util/error.hpp>

namespace po = boost::program_options;

namespace schemagate::cli {

namespace {

int cmd_wait(const Invocation& inv) {
    const auto target = inv.target_option("target");
    const std::string timeout_text = inv.flag("timeout") ? inv.value("timeout") : "10m";
    const auto timeout = util::parse_duration(timeout_text);
    if (!timeout) {
        throw UsageError("wait --timeout: " + timeout.error());
    }
    app::wait(inv.ctx, target, *timeout);
    return 0;
}

int cmd_serve(const Invocation& inv) {
    app::serve(inv.ctx, inv.target_option("target"),
               inv.flag("apply") ? app::ApplyFirst::yes : app::ApplyFirst::no);
    return 0;
}

} // namespace

Command wait_command() {
    return {"wait",
            "wait until the database has applied TARGET (default: the head of --dir); exit 6 "
            "on timeout",
            "",
            0,
            0,
            [](po::options_description& d) {
                d.add_options()("target", po::value<std::string>(),
                                "revision to wait for: head, heads or an id (default: head)")(
                    "timeout", po::value<std::string>(),
                    "give up after this long, exit 6 (default: 10m)");
            },
            cmd_wait};
}

Command serve_command() {
    return {"serve",
            "serve /healthz, /readyz and /metrics until stopped; --apply migrates first",
            "",
            0,
            0,
            [](po::options_description& d) {
                d.add_options()("apply", "upgrade to TARGET first")(
                    "target", po::value<std::string>(),
                    "the schema /readyz waits for: head, heads or an id (default: head)");
            },
            cmd_serve};
}

} // namespace schemagate::cli
