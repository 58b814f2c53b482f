#pragma once

#include <string>
#include <vector>

namespace schemagate::cli {

// Parses `args` (without the program name), runs the subcommand and returns its exit code.
// Throws schemagate::Error for failures that end the run; main() prints them.
int run(const std::vector<std::string>& args);

} // namespace schemagate::cli
