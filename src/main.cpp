// schemagate: parse, dispatch, and the only catch-all.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include <schemagate/cli/cli.hpp>
#include <schemagate/util/error.hpp>
#include <schemagate/util/secrets.hpp>

int main(int argc, char** argv) {
    using schemagate::ExitCode;
    try {
        return schemagate::cli::run(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const schemagate::Error& e) {
        std::fprintf(stderr, "schemagate: error: %s\n", schemagate::util::scrub(e.what()).c_str());
        return static_cast<int>(e.code());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "schemagate: unexpected error: %s\n",
                     schemagate::util::scrub(e.what()).c_str());
        return static_cast<int>(ExitCode::migration_failed);
    }
}
