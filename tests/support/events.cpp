#include <support/events.hpp>

#include <algorithm>

namespace schemagate::testing {

std::size_t index_of(const Events& events, std::string_view event) {
    const auto it = std::find(events.begin(), events.end(), event);
    return static_cast<std::size_t>(it - events.begin());
}

std::size_t count_of(const Events& events, std::string_view event) {
    return static_cast<std::size_t>(std::count(events.begin(), events.end(), event));
}

} // namespace schemagate::testing
