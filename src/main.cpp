// schemagate: parse, dispatch, and the only catch-all.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include <schemagate/cli/cli.hpp>
#include <schemagate/util/error.hpp>
#include <schemagate/util/secrets.hpp>
#include <schemagate/util/strings.hpp>

// GnuTLS is loaded with libpq (through libldap) and initialises itself from a library
// constructor: about 0.8 MB and 1 ms at every start, for nothing, since schemagate's TLS is
// OpenSSL's. GnuTLS's documented opt-out is this function (GNUTLS_SKIP_GLOBAL_INIT in gnutls.h
// defines exactly it); the executable exports it (src/CMakeLists.txt). The one user of GnuTLS
// here is libldap, for libpq's LDAP service lookups, which are ldap:// only and never start TLS;
// and libldap calls gnutls_global_init() itself before it starts TLS.
extern "C" int _gnutls_global_init_skip(void);
extern "C" int _gnutls_global_init_skip(void) {
    return 1;
}

namespace {

// An error as one line of stderr: no password, no control character.
std::string printable(const char* what) {
    return schemagate::util::printable(schemagate::util::scrub(what));
}

} // namespace

int main(int argc, char** argv) {
    using schemagate::ExitCode;
    try {
        return schemagate::cli::run(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const schemagate::Error& e) {
        std::fprintf(stderr, "schemagate: error: %s\n", printable(e.what()).c_str());
        return static_cast<int>(e.code());
    } catch (const std::exception& e) {
        // Every failure schemagate expects is an Error with its code: this is a bug, and it
        // gets a code of its own so that a Job's podFailurePolicy can tell it from bad SQL.
        std::fprintf(stderr,
                     "schemagate: unexpected error (a bug in schemagate; please report it with "
                     "the command that led to it): %s\n",
                     printable(e.what()).c_str());
        return static_cast<int>(ExitCode::internal);
    }
}
