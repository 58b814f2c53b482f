#pragma once

#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace schemagate::util {

// Lowercase hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

// SHA-256 over data given in pieces, for hashing a text without first copying it into one
// string. Throws std::runtime_error when libcrypto fails.
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    void update(std::string_view data);
    // Lowercase hex digest of everything given so far; call it once, last.
    std::string hex_digest();

private:
    evp_md_ctx_st* m_ctx;
};

} // namespace schemagate::util
