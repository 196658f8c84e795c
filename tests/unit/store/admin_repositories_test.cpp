// API tokens, settings versions and OAuth states on both engines (SQLite and PostgreSQL).
#include "store/admin_repositories.hpp"
#include "auth/token_store.hpp"
#include "security/secret_box.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"
#include "store/repositories.hpp"
#include "store/settings_secrets.hpp"
#include "support/fresh_database.hpp"
#include "support/temp_dir.hpp"

#include <Poco/Data/Session.h>

#include <gtest/gtest.h>

namespace appconnect::store {
namespace {

class AdminRepositories : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = std::make_unique<testing::TempDir>("appconnect-admin-repos");
    auto db = Database::open(testing::fresh_database_url(GetParam(), dir_->path()), 4);
    ASSERT_TRUE(db) << db.error().message;
    db_ = db.value();
    ASSERT_TRUE(migrate(*db_));
  }
  std::unique_ptr<testing::TempDir> dir_;
  std::shared_ptr<Database> db_;
};

TEST_P(AdminRepositories, TokensAreFoundByTheirSecretAndRevoked) {
  auth::TokenRepository tokens(db_);
  auth::TokenRow op;
  op.name = "ops";
  op.role = auth::Role::kOperator;
  auto created = tokens.create(op);
  ASSERT_TRUE(created) << created.error().message;
  const auto& [row, secret] = created.value();
  EXPECT_TRUE(row.tenant.empty());
  auth::TokenRow rep;
  rep.name = "rep";
  rep.role = auth::Role::kRep;
  rep.tenant = "t1";
  rep.agent = "101";
  ASSERT_TRUE(tokens.create(rep));
  auto found = tokens.find_active(secret);
  ASSERT_TRUE(found && found.value());
  EXPECT_EQ(found.value()->id, row.id);
  EXPECT_GT(found.value()->last_used_at, 0);
  EXPECT_FALSE(tokens.find_active(secret + "x").value());
  EXPECT_EQ(tokens.list("").value().size(), 2u);
  ASSERT_EQ(tokens.list("t1").value().size(), 1u);
  EXPECT_EQ(tokens.list("t1").value()[0].agent, "101");
  ASSERT_TRUE(tokens.revoke(row.id));
  EXPECT_FALSE(tokens.find_active(secret).value());
  EXPECT_EQ(tokens.revoke(row.id).error().code, "conflict");
  EXPECT_EQ(tokens.revoke("tok_none").error().code, "not_found");
}

TEST_P(AdminRepositories, SettingsVersionsCountUpPerObject) {
  SettingsVersionRepository versions(db_);
  EXPECT_EQ(versions.record("tenant", "t1", {{"a", 1}}, "x").value(), 1);
  EXPECT_EQ(versions.record("tenant", "t1", {{"a", 2}}, "y").value(), 2);
  EXPECT_EQ(versions.record("connection", "t1", {}, "z").value(), 1);
  auto list = versions.list("tenant", "t1");
  ASSERT_TRUE(list);
  ASSERT_EQ(list.value().size(), 2u);
  EXPECT_EQ(list.value()[0].version, 2);
  EXPECT_EQ(list.value()[0].actor, "y");
  auto one = versions.get("tenant", "t1", 1);
  ASSERT_TRUE(one && one.value());
  EXPECT_EQ(one.value()->settings, (boost::json::object{{"a", 1}}));
  EXPECT_FALSE(versions.get("tenant", "t1", 9).value());
}

TEST_P(AdminRepositories, AnOAuthStateIsTakenOnce) {
  OAuthStateRepository states(db_);
  ASSERT_TRUE(states.put("h1", OAuthState{"t1", "c1", "http://127.0.0.1/cb", "admin:x#1", now_ms() + 60000}));
  ASSERT_TRUE(states.put("old", OAuthState{"t1", "c1", "http://127.0.0.1/cb", "admin:x#1", now_ms() - 1}));
  auto taken = states.take("h1");
  ASSERT_TRUE(taken && taken.value());
  EXPECT_EQ(taken.value()->connection_id, "c1");
  EXPECT_FALSE(states.take("h1").value());
  EXPECT_FALSE(states.take("old").value()) << "expired states are removed on the way";
}

// Everything the tenants and settings_versions tables hold, as stored.
std::string stored_settings(Database& db) {
  using namespace Poco::Data::Keywords;
  auto s = db.session();
  std::vector<std::string> tenants, versions;
  *s << "SELECT settings FROM tenants", into(tenants), now;
  *s << "SELECT settings FROM settings_versions", into(versions), now;
  std::string all;
  for (const auto& t : tenants) all += t + "\n";
  for (const auto& v : versions) all += v + "\n";
  return all;
}

TEST(SettingsSecrets, SecretNamesAtAnyDepthAndAsDottedKeys) {
  for (const char* key :
       {"ingest_hmac_secret", "verification_token", "ringcentral.verification_token", "api_password", "client_secret"})
    EXPECT_TRUE(is_secret_setting(key)) << key;
  for (const char* key : {"time_zone", "logging.fields.notes", "rep_overridable", "tokens", "secretary"})
    EXPECT_FALSE(is_secret_setting(key)) << key;
  const boost::json::object nested{{"ringcentral", boost::json::object{{"verification_token", "v"}}}};
  EXPECT_TRUE(has_plain_secret_settings(nested));
  EXPECT_FALSE(has_plain_secret_settings({{"ringcentral", boost::json::object{{"verification_token", nullptr}}}}));
  security::SecretBox box(security::SecretKey::generate());
  const auto sealed = seal_secret_settings(&box, nested, "tenant:t1:settings");
  EXPECT_FALSE(has_plain_secret_settings(sealed));
  EXPECT_EQ(open_secret_settings(&box, sealed, "tenant:t1:settings").value(), nested);
  EXPECT_FALSE(open_secret_settings(&box, sealed, "tenant:t2:settings")) << "bound to its row";
  EXPECT_FALSE(open_secret_settings(nullptr, sealed, "tenant:t1:settings")) << "sealed but no key";
}

TEST_P(AdminRepositories, SecretTenantSettingsAreSealedInTheRowAndEveryVersion) {
  const auto old_key = security::SecretKey::generate();
  auto box = std::make_shared<const security::SecretBox>(old_key);
  TenantRepository tenants(db_, box);
  SettingsVersionRepository versions(db_, box);
  TenantRow t{"t1", "T1",
              boost::json::object{{"ingest_hmac_secret", "hmac-secret-1"},
                                  {"ringcentral", boost::json::object{{"verification_token", "verify-token-1"}}},
                                  {"ringcentral.verification_token", "verify-token-flat"},
                                  {"time_zone", "Pacific/Auckland"}}};
  auto first = versions.save_tenant(tenants, t, std::nullopt, "alice");
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first.value(), 1);
  const boost::json::object before = t.settings;
  t.settings["ingest_hmac_secret"] = "hmac-secret-2";
  EXPECT_EQ(versions.save_tenant(tenants, t, before, "bob").value(), 2);
  EXPECT_FALSE(versions.save_tenant(tenants, t, t.settings, "bob").value()) << "unchanged: no version";
  std::string raw = stored_settings(*db_);
  EXPECT_NE(raw.find("Pacific/Auckland"), std::string::npos) << "the rest stays readable";
  for (const char* secret : {"hmac-secret-1", "hmac-secret-2", "verify-token-1", "verify-token-flat"})
    EXPECT_EQ(raw.find(secret), std::string::npos) << secret;
  EXPECT_EQ(tenants.get("t1").value()->settings, t.settings);
  EXPECT_EQ(versions.get("tenant", "t1", 1).value()->settings, before);
  EXPECT_EQ(versions.list("tenant", "t1").value().at(0).settings, t.settings);

  // Rotation: the new key seals, the old one only opens; then the old key opens nothing.
  const auto new_key = security::SecretKey::generate();
  auto rotating = std::make_shared<const security::SecretBox>(new_key, std::vector<security::SecretKey>{old_key});
  EXPECT_EQ(TenantRepository(db_, rotating).reseal_settings().value(), 1);
  EXPECT_EQ(SettingsVersionRepository(db_, rotating).reseal_settings().value(), 2);
  EXPECT_EQ(TenantRepository(db_, rotating).reseal_settings().value(), 0) << "nothing left under the old key";
  auto only_new = std::make_shared<const security::SecretBox>(new_key);
  EXPECT_EQ(TenantRepository(db_, only_new).get("t1").value()->settings, t.settings);
  EXPECT_EQ(SettingsVersionRepository(db_, only_new).get("tenant", "t1", 1).value()->settings, before);
  EXPECT_FALSE(tenants.get("t1")) << "the old key alone no longer opens the row";

  // Plaintext written without a key (an older host) is read as it is and sealed by the next reseal.
  ASSERT_TRUE(TenantRepository(db_).upsert({"t2", "T2", {{"ingest_hmac_secret", "plain-secret-9"}}}));
  EXPECT_NE(stored_settings(*db_).find("plain-secret-9"), std::string::npos);
  EXPECT_EQ(TenantRepository(db_, only_new).reseal_settings().value(), 1);
  EXPECT_EQ(stored_settings(*db_).find("plain-secret-9"), std::string::npos);
  EXPECT_EQ(TenantRepository(db_, only_new).get("t2").value()->settings.at("ingest_hmac_secret"), "plain-secret-9");
}

INSTANTIATE_TEST_SUITE_P(Engines, AdminRepositories, ::testing::Values("sqlite", "postgresql"));

} // namespace
} // namespace appconnect::store
