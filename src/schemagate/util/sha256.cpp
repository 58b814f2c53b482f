#include <schemagate/util/sha256.hpp>

#include <array>
#include <stdexcept>

#include <openssl/evp.h>

namespace schemagate::util {

namespace {

[[noreturn]] void fail() {
    throw std::runtime_error("sha-256 failed in libcrypto");
}

// Fetched once: EVP_sha256() makes every digest look its implementation up again, which costs
// more than hashing a migration file.
const EVP_MD* sha256_md() {
    static const EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (md == nullptr) {
        fail();
    }
    return md;
}

} // namespace

Sha256::Sha256() : m_ctx(EVP_MD_CTX_new()) {
    if (m_ctx == nullptr || EVP_DigestInit_ex2(m_ctx, sha256_md(), nullptr) != 1) {
        EVP_MD_CTX_free(m_ctx);
        fail();
    }
}

Sha256::~Sha256() {
    EVP_MD_CTX_free(m_ctx);
}

void Sha256::update(std::string_view data) {
    if (EVP_DigestUpdate(m_ctx, data.data(), data.size()) != 1) {
        fail();
    }
}

std::string Sha256::hex_digest() {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(m_ctx, digest.data(), &len) != 1) {
        fail();
    }
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string out(2 * std::size_t{len}, '\0');
    for (unsigned int i = 0; i < len; ++i) {
        out[2 * i] = k_hex[digest[i] >> 4];
        out[2 * i + 1] = k_hex[digest[i] & 0x0f];
    }
    return out;
}

std::string sha256_hex(std::string_view data) {
    Sha256 sha;
    sha.update(data);
    return sha.hex_digest();
}

} // namespace schemagate::util
