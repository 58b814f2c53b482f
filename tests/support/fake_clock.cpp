#include <support/fake_clock.hpp>

namespace schemagate::testing {

void FakeClock::sleep_for(std::chrono::milliseconds d) {
    sleeps.push_back(d);
    m_now += d;
}

} // namespace schemagate::testing
