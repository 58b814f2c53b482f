#pragma once

#include <cstdio>
#include <cstdlib>

// Checks a property inside a fuzz target. A violation aborts, which libFuzzer reports as a crash
// and saves the input as an artifact. Unlike assert() it stays in RelWithDebInfo builds (NDEBUG).
#define SCHEMAGATE_FUZZ_CHECK(cond)                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            std::fprintf(stderr, "%s:%d: property violated: %s\n", __FILE__, __LINE__, #cond);     \
            std::abort();                                                                          \
        }                                                                                          \
    } while (false)
