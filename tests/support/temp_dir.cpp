#include <support/temp_dir.hpp>

#include <fstream>
#include <iterator>
#include <random>
#include <system_error>

#include <gtest/gtest.h>

namespace schemagate::testing {

namespace fs = std::filesystem;

TempDir::TempDir() {
    std::string name = "schemagate-test";
    if (const auto* info = ::testing::UnitTest::GetInstance()->current_test_info()) {
        name += std::string("-") + info->test_suite_name() + "." + info->name();
    }
    for (char& c : name) {
        if (c == '/') {
            c = '_'; // parameterised tests are named Suite/Param
        }
    }
    std::random_device rd;
    m_path = fs::temp_directory_path() / (name + "-" + std::to_string(rd()));
    fs::create_directories(m_path);
}

TempDir::~TempDir() {
    std::error_code ignored;
    fs::remove_all(m_path, ignored);
}

fs::path TempDir::write(const std::string& relative, std::string_view text) const {
    const fs::path p = m_path / relative;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p;
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace schemagate::testing
