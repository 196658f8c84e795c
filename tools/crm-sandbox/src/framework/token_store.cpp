#include "framework/token_store.hpp"

#include <random>

namespace appconnect::crm_sandbox {

std::string TokenStore::random_string(std::size_t length) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_int_distribution<std::size_t> pick(0, sizeof(kAlphabet) - 2);
  std::string out(length, 'x');
  for (auto& c : out) c = kAlphabet[pick(rng)];
  return out;
}

void TokenStore::clear() {
  std::lock_guard lock(mutex_);
  access_.clear();
  refresh_.clear();
  codes_.clear();
}

AccessToken TokenStore::issue_access(std::string token, std::string user_id, std::string client_id, std::string scope,
                                     std::int64_t now_ms) {
  AccessToken t{std::move(token), std::move(user_id), std::move(client_id), std::move(scope), now_ms};
  std::lock_guard lock(mutex_);
  access_[t.token] = t;
  return t;
}

std::optional<AccessToken> TokenStore::find_access(const std::string& token, std::int64_t now_ms,
                                                   double lifetime_s) const {
  std::lock_guard lock(mutex_);
  auto it = access_.find(token);
  if (it == access_.end()) return std::nullopt;
  if (lifetime_s > 0 && static_cast<double>(now_ms - it->second.issued_ms) >= lifetime_s * 1000.0) return std::nullopt;
  return it->second;
}

bool TokenStore::revoke_access(const std::string& token) {
  std::lock_guard lock(mutex_);
  return access_.erase(token) > 0;
}

void TokenStore::expire_all_access() {
  std::lock_guard lock(mutex_);
  access_.clear();
}

std::size_t TokenStore::access_count() const {
  std::lock_guard lock(mutex_);
  return access_.size();
}

void TokenStore::add_refresh(RefreshToken token) {
  std::lock_guard lock(mutex_);
  refresh_[token.token] = std::move(token);
}

std::optional<RefreshToken> TokenStore::find_refresh(const std::string& token) const {
  std::lock_guard lock(mutex_);
  auto it = refresh_.find(token);
  if (it == refresh_.end()) return std::nullopt;
  return it->second;
}

bool TokenStore::revoke_refresh(const std::string& token) {
  std::lock_guard lock(mutex_);
  return refresh_.erase(token) > 0;
}

void TokenStore::add_code(AuthCode code) {
  std::lock_guard lock(mutex_);
  codes_[code.code] = std::move(code);
}

std::optional<AuthCode> TokenStore::take_code(const std::string& code) {
  std::lock_guard lock(mutex_);
  auto it = codes_.find(code);
  if (it == codes_.end()) return std::nullopt;
  AuthCode out = std::move(it->second);
  codes_.erase(it);
  return out;
}

} // namespace appconnect::crm_sandbox
