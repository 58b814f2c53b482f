#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace schemagate::testing {

// A scratch directory of its own under the system's temp directory, named after the running
// test, removed with everything in it at the end of its scope.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return m_path; }
    // Writes `text` byte for byte to `relative` (creating its folders) and returns its path.
    std::filesystem::path write(const std::string& relative, std::string_view text) const;

private:
    std::filesystem::path m_path;
};

// The bytes of the file at `path` ("" when it cannot be read).
std::string read_file(const std::filesystem::path& path);

} // namespace schemagate::testing
