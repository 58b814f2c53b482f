#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace schemagate::migration {

// Why a target's text is not a target.
enum class TargetError {
    empty,        // ""
    bad_relative, // "+", "-x", "+1x": a sign not followed by a whole number
    too_far,      // "+99999999": more steps than any graph has
};

// Where a command goes: head | heads | base | an id or unique prefix | +N | -N. Parsed once, at
// the edge (a command's argument, an option); the planner resolves it against a graph.
class Target {
public:
    enum class Kind { head, heads, base, revision, relative };

    // The most steps a relative target may name.
    static constexpr std::size_t k_max_steps = 1'000'000;

    // The target `text` names, or why it names none.
    static tl::expected<Target, TargetError> parse(std::string_view text);
    // The same, throwing UsageError (exit 2) with `what` and how to write a target.
    static Target parse_or_throw(std::string_view text, std::string_view what = "target");
    // For targets written in code and tests; throws UsageError like parse_or_throw.
    Target(const char* text) : Target(parse_or_throw(text)) {} // NOLINT: implicit on purpose

    static Target head() { return Target(Kind::head, "head"); }
    static Target heads() { return Target(Kind::heads, "heads"); }
    static Target base() { return Target(Kind::base, "base"); }

    Kind kind() const { return m_kind; }
    bool is(Kind kind) const { return m_kind == kind; }
    // For Kind::revision: the id or prefix as written.
    const std::string& revision() const { return m_text; }
    // For Kind::relative: whether it is +N (up) or -N (down), and N.
    bool forward() const { return m_forward; }
    std::size_t steps() const { return m_steps; }
    // The target as written, for messages and records.
    const std::string& text() const { return m_text; }

    friend bool operator==(const Target& a, const Target& b) { return a.m_text == b.m_text; }

private:
    Target(Kind kind, std::string text) : m_kind(kind), m_text(std::move(text)) {}

    Kind m_kind;
    std::string m_text;
    bool m_forward = true;
    std::size_t m_steps = 0;
};

// "invalid target '+x': ..." for a parse error of `text`.
std::string to_message(TargetError error, std::string_view text);

} // namespace schemagate::migration
