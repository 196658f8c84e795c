// API tokens, settings versions and OAuth states on both engines (SQLite and PostgreSQL).
#include "store/admin_repositories.hpp"
#include "auth/token_store.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"
#include "store/repositories.hpp"
#include "support/fresh_database.hpp"
#include "support/temp_dir.hpp"

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

INSTANTIATE_TEST_SUITE_P(Engines, AdminRepositories, ::testing::Values("sqlite", "postgresql"));

} // namespace
} // namespace appconnect::store
