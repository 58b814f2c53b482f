#pragma once

#include <string_view>

namespace schemagate::util {

// schemagate's version, as `--version`, the help, `--sql` headers and the build_info metric
// show it: the project's, from the top CMakeLists.txt, and nowhere else.
std::string_view version();

} // namespace schemagate::util
