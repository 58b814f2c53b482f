#include <schemagate/migration/target.hpp>

#include <schemagate/util/error.hpp>

namespace schemagate::migration {

tl::expected<Target, TargetError> Target::parse(std::string_view text) {
    if (text.empty()) {
        return tl::unexpected(TargetError::empty);
    }
    if (text == "head") {
        return head();
    }
    if (text == "heads") {
        return heads();
    }
    if (text == "base") {
        return base();
    }
    if (text[0] != '+' && text[0] != '-') {
        return Target(Kind::revision, std::string(text));
    }
    if (text.size() == 1) {
        return tl::unexpected(TargetError::bad_relative);
    }
    std::size_t steps = 0;
    for (char c : text.substr(1)) {
        if (c < '0' || c > '9') {
            return tl::unexpected(TargetError::bad_relative);
        }
        steps = steps * 10 + static_cast<std::size_t>(c - '0');
        if (steps > k_max_steps) {
            return tl::unexpected(TargetError::too_far);
        }
    }
    Target out(Kind::relative, std::string(text));
    out.m_forward = text[0] == '+';
    out.m_steps = steps;
    return out;
}

Target Target::parse_or_throw(std::string_view text, std::string_view what) {
    auto target = parse(text);
    if (!target) {
        std::string message = to_message(target.error(), text);
        if (what != "target") {
            message = std::string(what) + ": " + message;
        }
        throw UsageError(message);
    }
    return *target;
}

std::string to_message(TargetError error, std::string_view text) {
    const std::string quoted = "'" + std::string(text) + "'";
    switch (error) {
    case TargetError::empty:
        return "the target is empty; give head, heads, base, a revision id or prefix, +N or -N";
    case TargetError::bad_relative:
        return "invalid relative target " + quoted + "; use +N or -N with a whole number";
    case TargetError::too_far:
        return "invalid relative target " + quoted + ": at most " +
               std::to_string(Target::k_max_steps) + " steps";
    }
    return "invalid target " + quoted;
}

} // namespace schemagate::migration
