# schemagate's container image: a build stage with Debian's -dev packages, and a runtime stage
# that holds only the shared libraries the binary links, the binary and the sample migrations.
#
#   docker build -t schemagate:0.1.0 .
#   docker run --rm -e DATABASE_URL schemagate:0.1.0 upgrade
#
# The runtime stage runs as 65532:65532 with nothing to write, so it works with a read-only root
# filesystem; logs go to stderr. `--dir` defaults to ./migrations and the working directory is
# /, so the baked-in /migrations is used unless a volume is mounted over it (see deploy/).

ARG DEBIAN_RELEASE=bookworm

FROM debian:${DEBIAN_RELEASE} AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential \
      cmake \
      ninja-build \
      pkg-config \
      libboost-program-options-dev \
      libcpp-httplib-dev \
      libexpected-dev \
      libfmt-dev \
      libpq-dev \
      libpqxx-dev \
      libspdlog-dev \
      libssl-dev \
      nlohmann-json3-dev \
      prometheus-cpp-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DSCHEMAGATE_TESTS=OFF \
 && cmake --build /build \
 && strip /build/schemagate \
 && /build/schemagate --help >/dev/null

FROM debian:${DEBIAN_RELEASE}-slim AS runtime
# The runtime package of every library the binary links, one a line: a new -dev package in the
# build stage needs its runtime package here. The k8s.runtime_image_has_every_linked_library
# test (tests/k8s) maps each library `ldd` reports to its package and fails when one is missing.
# libc6, libgcc-s1 and libstdc++6 are not listed: apt, which this stage runs, depends on them.
# libpqxx and Boost.Program_options are linked from their static archives, spdlog and fmt
# header-only (cmake/lean_start.cmake), so their runtime packages are not needed here; the test
# also fails on a package here that the binary does not link. ca-certificates is for https.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates \
      libcpp-httplib0.11 \
      libpq5 \
      libprometheus-cpp-core1.0 \
      libssl3 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /build/schemagate /usr/local/bin/schemagate
COPY migrations/ /migrations/
LABEL org.opencontainers.image.title="schemagate" \
      org.opencontainers.image.description="Versioned SQL migrations for PostgreSQL, built for Kubernetes"
WORKDIR /
USER 65532:65532
ENTRYPOINT ["schemagate"]
CMD ["--help"]
