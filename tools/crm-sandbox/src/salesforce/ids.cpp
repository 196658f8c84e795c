#include "salesforce/ids.hpp"

#include <cctype>

namespace appconnect::crm_sandbox::salesforce {

std::string id_suffix(std::string_view id15) {
  static constexpr char kMap[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
  std::string suffix;
  for (int chunk = 0; chunk < 3; ++chunk) {
    int bits = 0;
    for (int j = 0; j < 5; ++j) {
      const char c = id15[static_cast<std::size_t>(chunk * 5 + j)];
      if (c >= 'A' && c <= 'Z') bits |= 1 << j;
    }
    suffix.push_back(kMap[bits]);
  }
  return suffix;
}

std::string make_id(std::string_view key_prefix, std::uint64_t counter) {
  static constexpr char kBase62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string digits(10, '0');
  for (int i = 9; i >= 0 && counter > 0; --i) {
    digits[static_cast<std::size_t>(i)] = kBase62[counter % 62];
    counter /= 62;
  }
  std::string id15 = std::string(key_prefix) + "SB" + digits;
  return id15 + id_suffix(id15);
}

std::optional<std::string> normalize_id(std::string_view id) {
  static constexpr std::string_view kMap = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
  if (id.size() != 15 && id.size() != 18) return std::nullopt;
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c))) return std::nullopt;
  std::string id15(id.substr(0, 15));
  if (id.size() == 18) {
    // The suffix restores the case of the first 15 characters: that is its whole point, so an id that
    // went through a case-insensitive system still resolves.
    for (int chunk = 0; chunk < 3; ++chunk) {
      const auto bits = kMap.find(static_cast<char>(std::toupper(static_cast<unsigned char>(id[15 + chunk]))));
      if (bits == std::string_view::npos) return std::nullopt;
      for (int j = 0; j < 5; ++j) {
        auto& c = id15[static_cast<std::size_t>(chunk * 5 + j)];
        if (!std::isalpha(static_cast<unsigned char>(c))) continue;
        c = static_cast<char>((bits >> j) & 1 ? std::toupper(static_cast<unsigned char>(c))
                                              : std::tolower(static_cast<unsigned char>(c)));
      }
    }
  }
  return id15 + id_suffix(id15);
}

} // namespace appconnect::crm_sandbox::salesforce
