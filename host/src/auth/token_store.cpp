#include "auth/token_store.hpp"

#include "security/crypto.hpp"
#include "store/repositories.hpp"
#include "store/row_helpers.hpp"

#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Nullable.h>
#include <Poco/Tuple.h>

using namespace Poco::Data::Keywords;

namespace appconnect::auth {

std::string_view role_name(Role role) {
  switch (role) {
    case Role::kOperator:
      return "operator";
    case Role::kAdmin:
      return "admin";
    case Role::kRep:
      return "rep";
  }
  return "rep";
}

std::optional<Role> role_from(std::string_view name) {
  if (name == "operator") return Role::kOperator;
  if (name == "admin") return Role::kAdmin;
  if (name == "rep") return Role::kRep;
  return std::nullopt;
}

std::string Principal::actor() const {
  return std::string(role_name(role)) + ":" + name + "#" + token_id;
}

namespace {

// base64url without padding (RFC 4648 section 5): safe in headers, URLs and shell arguments.
std::string base64url(const std::string& bytes) {
  std::string text = security::base64_encode(bytes);
  while (!text.empty() && text.back() == '=') text.pop_back();
  for (char& c : text) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return text;
}

std::string hex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

constexpr const char* kColumns = "id, name, role, tenant_id, agent, created_by, created_at, last_used_at, revoked_at";
using TokenTuple = Poco::Tuple<std::string, std::string, std::string, Poco::Nullable<std::string>, std::string,
                               std::string, Poco::Int64, Poco::Nullable<Poco::Int64>, Poco::Nullable<Poco::Int64>>;

TokenRow row_from(const TokenTuple& t) {
  TokenRow r;
  r.id = t.get<0>();
  r.name = t.get<1>();
  r.role = role_from(t.get<2>()).value_or(Role::kRep); // an unknown role gets the least rights
  r.tenant = t.get<3>().isNull() ? std::string() : t.get<3>().value();
  r.agent = t.get<4>();
  r.created_by = t.get<5>();
  r.created_at = t.get<6>();
  r.last_used_at = t.get<7>().isNull() ? 0 : static_cast<std::int64_t>(t.get<7>().value());
  r.revoked_at = t.get<8>().isNull() ? 0 : static_cast<std::int64_t>(t.get<8>().value());
  return r;
}

// last_used_at is a hint for people ("is this token still in use?"), not an audit record: writing it at
// most once a minute keeps every authenticated read from becoming a write.
constexpr std::int64_t kLastUsedResolutionMs = 60000;

} // namespace

std::string generate_token() {
  return "act_" + base64url(security::random_bytes(32));
}

std::string token_hash(const std::string& token) {
  return security::sha256_hex(token);
}

Result<std::pair<TokenRow, std::string>> TokenRepository::create(TokenRow row) {
  const std::string secret = generate_token();
  row.id = "tok_" + hex(security::random_bytes(8));
  row.created_at = store::now_ms();
  row.last_used_at = row.revoked_at = 0;
  try {
    auto s = db_->session();
    std::string id = row.id, name = row.name, role(role_name(row.role)), agent = row.agent, by = row.created_by,
                hash = token_hash(secret);
    Poco::Nullable<std::string> tenant;
    if (!row.tenant.empty()) tenant = row.tenant;
    std::int64_t at = row.created_at;
    store::Transaction tx(*db_, *s);
    *s << db_->sql(
        "INSERT INTO api_tokens (id, name, role, tenant_id, agent, token_hash, created_by, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
        use(id), use(name), use(role), use(tenant), use(agent), use(hash), use(by), use(at), now;
    tx.commit();
    return std::make_pair(std::move(row), secret);
  } catch (const Poco::Exception& ex) {
    return store::db_error("cannot store the API token", ex);
  }
}

Result<std::optional<TokenRow>> TokenRepository::find_active(const std::string& token) {
  try {
    auto s = db_->session();
    std::string hash = token_hash(token);
    std::vector<TokenTuple> rows;
    *s << db_->sql(std::string("SELECT ") + kColumns + " FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL"),
        use(hash), into(rows), now;
    if (rows.empty()) return std::optional<TokenRow>();
    TokenRow row = row_from(rows.front());
    const std::int64_t at = store::now_ms();
    if (at - row.last_used_at >= kLastUsedResolutionMs) {
      std::string id = row.id;
      std::int64_t used = at;
      store::Transaction tx(*db_, *s);
      *s << db_->sql("UPDATE api_tokens SET last_used_at = ? WHERE id = ?"), use(used), use(id), now;
      tx.commit();
      row.last_used_at = at;
    }
    return std::optional<TokenRow>(std::move(row));
  } catch (const Poco::Exception& ex) {
    return store::db_error("cannot check the API token", ex);
  }
}

Result<std::optional<TokenRow>> TokenRepository::get(const std::string& id) {
  try {
    auto s = db_->session();
    std::string key = id;
    std::vector<TokenTuple> rows;
    *s << db_->sql(std::string("SELECT ") + kColumns + " FROM api_tokens WHERE id = ?"), use(key), into(rows), now;
    if (rows.empty()) return std::optional<TokenRow>();
    return std::optional<TokenRow>(row_from(rows.front()));
  } catch (const Poco::Exception& ex) {
    return store::db_error("cannot read the API token", ex);
  }
}

Result<std::vector<TokenRow>> TokenRepository::list(const std::string& tenant) {
  try {
    auto s = db_->session();
    std::vector<TokenTuple> rows;
    if (tenant.empty()) {
      *s << std::string("SELECT ") + kColumns + " FROM api_tokens ORDER BY created_at, id", into(rows), now;
    } else {
      std::string key = tenant;
      *s << db_->sql(std::string("SELECT ") + kColumns +
                     " FROM api_tokens WHERE tenant_id = ? ORDER BY created_at, id"),
          use(key), into(rows), now;
    }
    std::vector<TokenRow> out;
    for (const auto& t : rows) out.push_back(row_from(t));
    return out;
  } catch (const Poco::Exception& ex) {
    return store::db_error("cannot list API tokens", ex);
  }
}

Result<Done> TokenRepository::revoke(const std::string& id) {
  try {
    auto s = db_->session();
    std::string key = id;
    std::int64_t at = store::now_ms();
    store::Transaction tx(*db_, *s);
    Poco::Data::Statement update(*s);
    update << db_->sql("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL"), use(at), use(key);
    if (update.execute() != 1) {
      std::vector<std::string> found;
      *s << db_->sql("SELECT id FROM api_tokens WHERE id = ?"), use(key), into(found), now;
      if (found.empty()) return Error::make(error_code::kNotFound, "no token '" + id + "'", false);
      return Error::make(error_code::kConflict, "token '" + id + "' is already revoked", false);
    }
    tx.commit();
    return kDone;
  } catch (const Poco::Exception& ex) {
    return store::db_error("cannot revoke the API token", ex);
  }
}

} // namespace appconnect::auth
