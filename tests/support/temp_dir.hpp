// A fresh directory per test (mkdtemp), removed with everything in it on destruction, unless
// APPCONNECT_KEEP_TEST_DIRS is set in the environment (then its path is printed to stderr for
// post-mortems).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace appconnect::testing {

struct TempDir {
  explicit TempDir(std::string_view prefix = "appconnect-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;

  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }
  // path() / name (nothing is created).
  std::filesystem::path file(std::string_view name) const { return path_ / name; }

 private:
  void cleanup() noexcept;
  std::filesystem::path path_;
};

} // namespace appconnect::testing
