// libFuzzer target for the property that split_sql and lint's tokenize() find the same statement
// boundaries (statement_boundaries.hpp says exactly what that means). On text split_sql refuses,
// tokenize() still runs, so the sanitizers see it read unterminated constructs to the end.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string_view>

#include "fuzz_check.hpp"
#include "statement_boundaries.hpp"

#include <schemagate/lint/sql_tokens.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // libFuzzer passes a heap copy of exactly `size` bytes, so ASan sees any read past the end.
    const std::string_view sql(reinterpret_cast<const char*>(data), size);
    const auto disagreement = schemagate::properties::boundary_disagreement(sql);
    if (disagreement) {
        std::fprintf(stderr, "%s\n", disagreement->c_str());
    }
    SCHEMAGATE_FUZZ_CHECK(!disagreement);
    (void)schemagate::lint::tokenize(sql);
    return 0;
}
