# A leaner build, to cut what every start of schemagate costs: each shared library is mapped,
# relocated and initialised at start, and the pages of code that touches count in the peak RSS,
# which the bench's target (under 15 MB) and a Pod's memory limit care about. Included by the
# top-level CMakeLists after its find_package calls, in plain builds only: with ASan/UBSan (and
# the fuzz build) everything is linked as Debian ships it, the setup the sanitizer runtimes
# expect.
#
# Measured with bench/measure.cpp, median peak RSS of a connected `schemagate current`
# (Release, 30 runs): 15.9 MB with every library shared, 15.2 MB with pqxx and
# Boost.Program_options static, 14.9 MB with spdlog and fmt header-only as well, 14.75 MB at
# -O2, 14.6 MB with --gc-sections; `--help` 13.2 -> 12.6 -> 12.4 -> 12.3 MB. For comparison,
# psql -c 'select 1' is 11.9 MB.
#
# Tried and left out, since they did not help:
#  - -static-libstdc++ -static-libgcc: prometheus-cpp-core and cpp-httplib exist only as shared
#    libraries and load libstdc++.so anyway, so this adds a second copy (+0.7 MB).
#  - -Wl,-z,now (binds every symbol at start), -Wl,--as-needed (every library is needed),
#    -Wl,-O1: no change.
#  - -Os: another -0.45 MB, but `history` over 10,000 files takes 8% more CPU than at -O2.

# sg_lean_start(): call once, after the find_package calls (and with Boost_USE_STATIC_LIBS set
# before find_package(Boost), which the top-level CMakeLists does).
macro(sg_lean_start)
  # libpqxx from the static archive Debian ships: only the code schemagate calls is linked, and
  # the dynamic linker has one C++ library less to load and relocate (-0.7 MB together with
  # Boost's archive). libpq stays shared: its archive would drag in OpenSSL, GSSAPI and LDAP.
  find_library(SG_PQXX_STATIC NAMES libpqxx.a HINTS ${PQXX_LIBRARY_DIRS} REQUIRED)
  set_property(TARGET PkgConfig::PQXX PROPERTY INTERFACE_LINK_LIBRARIES
    ${SG_PQXX_STATIC} PkgConfig::PQ)

  # spdlog and fmt compiled into our objects instead of libspdlog.so and libfmt.so (-0.35 MB):
  # Debian's headers support both header-only modes, and its config files define these
  # header-only targets. sg_module (cmake/module.cmake) links them where a module names
  # spdlog::spdlog or fmt::fmt.
  set_property(TARGET spdlog::spdlog_header_only PROPERTY INTERFACE_LINK_LIBRARIES
    Threads::Threads fmt::fmt-header-only)
  set(SG_LINK_REPLACEMENTS
    "spdlog::spdlog=spdlog::spdlog_header_only" "fmt::fmt=fmt::fmt-header-only")

  # Release at -O2, not CMake's -O3 (this comes after CMAKE_CXX_FLAGS_RELEASE on the command
  # line, so it wins): -O3's unrolling and inlining make 15% more code, and the kernel maps the
  # code around every page fault in 64 KB windows, so -0.15 to -0.35 MB at a connected start. `history` over 10,000 files
  # costs the same CPU at both levels (150 vs 152 ms, within the noise). Debian builds the
  # libraries we link at -O2 as well.
  add_compile_options($<$<CONFIG:Release>:-O2>)

  # One section per function and object, so that the linker drops what nothing references: 13%
  # less code at -O2, and -0.1 MB at start (no change measured at -O3).
  add_compile_options(-ffunction-sections -fdata-sections)
  add_link_options(-Wl,--gc-sections)
endmacro()
