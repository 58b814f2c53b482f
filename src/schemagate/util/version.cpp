#include <schemagate/util/version.hpp>

namespace schemagate::util {

std::string_view version() {
    return SCHEMAGATE_VERSION;
}

} // namespace schemagate::util
