#pragma once

#include <schemagate/app/ports.hpp>
#include <schemagate/config/config.hpp>

namespace schemagate::app {

// What every use case gets: the resolved configuration and the ports to the world.
struct Context {
    const config::Config& config;
    Ports& ports;
};

} // namespace schemagate::app
