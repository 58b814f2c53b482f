#pragma once

namespace schemagate::util {

// Installs SIGINT/SIGTERM handlers: the first signal sets a flag that long operations poll
// (they stop at the next safe point and exit 130); a second signal exits at once with 130.
void install_interrupt_handlers();
bool interrupted();
// Throws Interrupted (exit 130) if a signal arrived.
void throw_if_interrupted();

} // namespace schemagate::util
