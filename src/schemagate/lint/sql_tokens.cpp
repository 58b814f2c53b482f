#include <schemagate/lint/sql_tokens.hpp>

#include <optional>

#include <schemagate/migration/sql_chars.hpp>
#include <schemagate/migration/sql_cursor.hpp>

namespace schemagate::lint {

namespace {

using migration::Lexeme;
using migration::LexemeKind;

// The name inside "..." or U&"...": the quotes dropped (the closing one only when there is
// one), a doubled quote read as one.
std::string unquote(const Lexeme& lexeme) {
    std::string_view text = lexeme.text;
    text.remove_prefix(text.find('"') + 1);
    if (lexeme.terminated) {
        text.remove_suffix(1);
    }
    std::string name;
    name.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        name += text[i];
        if (text[i] == '"' && i + 1 < text.size() && text[i + 1] == '"') {
            ++i;
        }
    }
    return name;
}

std::string fold(std::string_view word) {
    std::string text(word);
    for (char& c : text) {
        c = migration::sql_chars::to_lower_ascii(c);
    }
    return text;
}

// Comments have no token.
std::optional<TokenKind> token_kind(LexemeKind kind) {
    switch (kind) {
    case LexemeKind::line_comment:
    case LexemeKind::block_comment:
        return std::nullopt;
    case LexemeKind::word:
        return TokenKind::word;
    case LexemeKind::quoted_identifier:
        return TokenKind::quoted_identifier;
    case LexemeKind::string:
        return TokenKind::string;
    case LexemeKind::dollar_string:
        return TokenKind::dollar_string;
    case LexemeKind::number:
        return TokenKind::number;
    case LexemeKind::parameter:
        return TokenKind::parameter;
    case LexemeKind::punctuation:
        break;
    }
    return TokenKind::punctuation;
}

} // namespace

std::vector<Token> tokenize(std::string_view sql) {
    std::vector<Token> tokens;
    migration::SqlCursor cursor(sql);
    while (const auto lexeme = cursor.next()) {
        const auto kind = token_kind(lexeme->kind);
        if (!kind) {
            continue;
        }
        std::string text = *kind == TokenKind::word                ? fold(lexeme->text)
                           : *kind == TokenKind::quoted_identifier ? unquote(*lexeme)
                                                                   : std::string(lexeme->text);
        tokens.push_back(Token{*kind, std::move(text), lexeme->line, lexeme->offset});
    }
    return tokens;
}

} // namespace schemagate::lint
