// Secrets at rest: the AES-256-GCM envelope on its own, then connection credentials through the
// store on both engines (sealed when written, opened when read, legacy plaintext, key rotation).
#include "security/secret_box.hpp"
#include "config/config.hpp"
#include "security/crypto.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"
#include "store/repositories.hpp"
#include "support/fresh_database.hpp"
#include "support/temp_dir.hpp"

#include <Poco/Data/Session.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <set>
#include <vector>

using namespace Poco::Data::Keywords;
using ::testing::HasSubstr;

namespace appconnect::security {
namespace {

TEST(Crypto, Sha256MatchesTheStandardTestVector) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Crypto, Base64RoundTripsAndRefusesGarbage) {
  for (const std::string& s :
       std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba", "foobar", std::string("\0\xff\x10", 3)}) {
    auto back = base64_decode(base64_encode(s));
    ASSERT_TRUE(back) << s;
    EXPECT_EQ(*back, s);
  }
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(*base64_decode("Zm9vYg==\n"), "foob");
  EXPECT_FALSE(base64_decode("Zm9vYg="));   // length
  EXPECT_FALSE(base64_decode("Zm9v*mFy"));  // alphabet
  EXPECT_FALSE(base64_decode("Zm=vYmFy"));  // padding inside
  EXPECT_FALSE(base64_decode("Zm9v YmFy")); // embedded space
}

TEST(SecretBox, RoundTripNamesTheKeyAndHidesThePlaintext) {
  SecretBox box(SecretKey::generate());
  const std::string secret = R"({"refresh_token":"very-secret-refresh"})";
  const std::string sealed = box.seal(secret, "connection:c1:credentials");
  EXPECT_EQ(sealed.rfind("enc:v1:" + box.primary_id() + ":", 0), 0u) << sealed;
  EXPECT_EQ(sealed.find("very-secret"), std::string::npos);
  EXPECT_EQ(SecretBox::key_id_of(sealed), box.primary_id());
  auto opened = box.open(sealed, "connection:c1:credentials");
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ(opened.value(), secret);
  // The empty value is a value too.
  EXPECT_EQ(box.open(box.seal("", "x"), "x").value(), "");
}

TEST(SecretBox, EveryEncryptionUsesAFreshNonce) {
  SecretBox box(SecretKey::generate());
  std::set<std::string> envelopes, nonces;
  for (int i = 0; i < 200; ++i) {
    const std::string sealed = box.seal("same plaintext", "ctx");
    envelopes.insert(sealed);
    auto blob = base64_decode(sealed.substr(sealed.rfind(':') + 1));
    ASSERT_TRUE(blob);
    ASSERT_EQ(blob->size(), 12u + 14u + 16u); // nonce | ciphertext | tag
    nonces.insert(blob->substr(0, 12));
  }
  EXPECT_EQ(envelopes.size(), 200u);
  EXPECT_EQ(nonces.size(), 200u);
}

TEST(SecretBox, AnyAlteredByteIsRefused) {
  SecretBox box(SecretKey::generate());
  const std::string sealed = box.seal("access-token-123", "ctx");
  const std::string prefix = sealed.substr(0, sealed.rfind(':') + 1);
  const std::string blob = *base64_decode(sealed.substr(prefix.size()));
  for (std::size_t i = 0; i < blob.size(); ++i) {
    std::string bad = blob;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    auto opened = box.open(prefix + base64_encode(bad), "ctx");
    ASSERT_FALSE(opened) << "byte " << i;
    EXPECT_THAT(opened.error().message, HasSubstr("authentication failed"));
  }
  // Truncated, not base64, another version, no envelope at all.
  EXPECT_FALSE(box.open(prefix + base64_encode(blob.substr(0, 20)), "ctx"));
  EXPECT_FALSE(box.open(prefix + "!!!!", "ctx"));
  EXPECT_FALSE(box.open("enc:v2:" + sealed.substr(7), "ctx"));
  EXPECT_FALSE(box.open("{}", "ctx"));
}

TEST(SecretBox, AnotherContextOrKeyCannotOpenIt) {
  SecretBox box(SecretKey::generate());
  const std::string sealed = box.seal("token", "connection:c1:credentials");
  EXPECT_FALSE(box.open(sealed, "connection:c2:credentials")); // copied into another row
  SecretBox other(SecretKey::generate());
  auto opened = other.open(sealed, "connection:c1:credentials");
  ASSERT_FALSE(opened);
  EXPECT_THAT(opened.error().message, HasSubstr("not configured"));
  // A different key under the same id (a forged id) still fails authentication.
  SecretKey forged = SecretKey::generate();
  forged.id = box.primary_id();
  auto forged_open = SecretBox(forged).open(sealed, "connection:c1:credentials");
  ASSERT_FALSE(forged_open);
  EXPECT_THAT(forged_open.error().message, HasSubstr("authentication failed"));
}

TEST(SecretBox, OlderKeysOpenButNeverSeal) {
  SecretKey old_key = SecretKey::generate(), new_key = SecretKey::generate();
  const std::string under_old = SecretBox(old_key).seal("v", "ctx");
  SecretBox rotating(new_key, {old_key});
  EXPECT_EQ(rotating.open(under_old, "ctx").value(), "v");
  EXPECT_EQ(SecretBox::key_id_of(rotating.seal("v", "ctx")), new_key.id);
}

TEST(SecretKeys, KeyFilesAndTheEnvironment) {
  testing::TempDir dir("appconnect-keys");
  const SecretKey key = SecretKey::generate();
  std::ofstream(dir.file("k1")) << key.to_base64() << "\n";
  auto loaded = SecretKey::from_file(dir.file("k1"));
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded.value().id, key.id);
  EXPECT_EQ(loaded.value().bytes, key.bytes);

  std::ofstream(dir.file("short")) << base64_encode("sixteen bytes!!!") << "\n";
  auto short_key = SecretKey::from_file(dir.file("short"));
  ASSERT_FALSE(short_key);
  EXPECT_THAT(short_key.error().message, HasSubstr("256-bit"));
  EXPECT_FALSE(SecretKey::from_file(dir.file("missing")));

  config::Config c;
  ::unsetenv(kSecretsKeyEnv);
  auto none = load_secret_box(c);
  ASSERT_TRUE(none);
  EXPECT_EQ(none.value(), nullptr);
  ::setenv(kSecretsKeyEnv, key.to_base64().c_str(), 1);
  auto from_env = load_secret_box(c);
  ::unsetenv(kSecretsKeyEnv);
  ASSERT_TRUE(from_env && from_env.value());
  EXPECT_EQ(from_env.value()->primary_id(), key.id);

  const SecretKey older = SecretKey::generate();
  std::ofstream(dir.file("k0")) << older.to_base64();
  c.secrets_key_file = dir.file("k1");
  c.secrets_old_key_files = {dir.file("k0")};
  auto both = load_secret_box(c);
  ASSERT_TRUE(both && both.value());
  EXPECT_EQ(both.value()->primary_id(), key.id);
  EXPECT_TRUE(both.value()->knows(older.id));

  c.secrets_key_file.clear();
  EXPECT_FALSE(load_secret_box(c)); // old keys without a current one
}

// ------------------------------------------------------------------ connection credentials in the store

class Credentials : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto db = store::Database::open(testing::fresh_database_url(GetParam(), dir_.path()), 4);
    ASSERT_TRUE(db) << db.error().message;
    db_ = db.value();
    ASSERT_TRUE(store::migrate(*db_));
    ASSERT_TRUE(store::TenantRepository(db_).upsert({"t1", "Tenant", {}}));
  }

  std::string stored_credentials(const std::string& id) {
    auto s = db_->session();
    std::string key = id, text;
    *s << db_->sql("SELECT credentials FROM connections WHERE id = ?"), use(key), into(text), now;
    return text;
  }

  store::ConnectionRow row(const std::string& id) {
    return store::ConnectionRow{id,
                                "t1",
                                "salesforce",
                                {{"login_url", "http://x"}},
                                {{"refresh_token", "rt-" + id + "-secret"}, {"client_secret", "cs-secret"}}};
  }

  testing::TempDir dir_{"appconnect-credentials"};
  std::shared_ptr<store::Database> db_;
};

INSTANTIATE_TEST_SUITE_P(Engines, Credentials, ::testing::Values(testing::kSqliteEngine, testing::kPostgresEngine),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

TEST_P(Credentials, AreSealedWhenWrittenAndOpenedWhenRead) {
  auto box = std::make_shared<const SecretBox>(SecretKey::generate());
  store::ConnectionRepository repo(db_, box);
  ASSERT_TRUE(repo.upsert(row("c1")));
  const std::string stored = stored_credentials("c1");
  EXPECT_EQ(SecretBox::key_id_of(stored), box->primary_id()) << stored;
  EXPECT_EQ(stored.find("secret"), std::string::npos);
  auto got = repo.get("c1");
  ASSERT_TRUE(got && got.value());
  EXPECT_EQ(got.value()->credentials.at("refresh_token"), "rt-c1-secret");
  EXPECT_EQ(got.value()->settings.at("login_url"), "http://x"); // settings are not secret

  ASSERT_TRUE(repo.update_auth("c1", {{"access_token", "at-new-secret"}, {"refresh_token", "rt-2"}}, {}));
  EXPECT_EQ(stored_credentials("c1").find("at-new"), std::string::npos);
  auto listed = repo.list_for_tenant("t1");
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed.value().size(), 1u);
  EXPECT_EQ(listed.value()[0].credentials.at("access_token"), "at-new-secret");
  ASSERT_TRUE(repo.list_all());

  // Without the key, or with another one, the row is an error, never garbage or plaintext.
  auto keyless = store::ConnectionRepository(db_).get("c1");
  ASSERT_FALSE(keyless);
  EXPECT_THAT(keyless.error().message, HasSubstr("secrets_key_file"));
  auto other = std::make_shared<const SecretBox>(SecretKey::generate());
  EXPECT_FALSE(store::ConnectionRepository(db_, other).get("c1"));
}

TEST_P(Credentials, ATamperedOrMovedValueIsRefused) {
  auto box = std::make_shared<const SecretBox>(SecretKey::generate());
  store::ConnectionRepository repo(db_, box);
  ASSERT_TRUE(repo.upsert(row("c1")));
  ASSERT_TRUE(repo.upsert(row("c2")));
  auto s = db_->session();
  // c1's sealed credentials copied over c2's: GCM's associated data binds them to c1.
  std::string c1 = stored_credentials("c1"), id = "c2";
  *s << db_->sql("UPDATE connections SET credentials = ? WHERE id = ?"), use(c1), use(id), now;
  EXPECT_FALSE(repo.get("c2"));
  // One character of c1 changed.
  std::string bad = c1;
  bad[bad.size() - 5] = bad[bad.size() - 5] == 'A' ? 'B' : 'A';
  id = "c1";
  *s << db_->sql("UPDATE connections SET credentials = ? WHERE id = ?"), use(bad), use(id), now;
  auto got = repo.get("c1");
  ASSERT_FALSE(got);
  EXPECT_THAT(got.error().message, HasSubstr("c1"));
}

TEST_P(Credentials, PlaintextFromAnOlderDatabaseIsReadThenSealed) {
  ASSERT_TRUE(store::ConnectionRepository(db_).upsert(row("legacy"))); // no key: written as before
  EXPECT_THAT(stored_credentials("legacy"), HasSubstr("rt-legacy-secret"));
  EXPECT_TRUE(store::ConnectionRepository(db_).any_credentials().value());

  auto box = std::make_shared<const SecretBox>(SecretKey::generate());
  store::ConnectionRepository repo(db_, box);
  auto got = repo.get("legacy");
  ASSERT_TRUE(got && got.value());
  EXPECT_EQ(got.value()->credentials.at("refresh_token"), "rt-legacy-secret");
  auto resealed = repo.reseal_credentials();
  ASSERT_TRUE(resealed) << resealed.error().message;
  EXPECT_EQ(resealed.value(), 1);
  EXPECT_EQ(SecretBox::key_id_of(stored_credentials("legacy")), box->primary_id());
  EXPECT_EQ(repo.get("legacy").value()->credentials.at("refresh_token"), "rt-legacy-secret");
  EXPECT_EQ(repo.reseal_credentials().value(), 0); // nothing left to do

  // SQLite: the old plaintext row image must not survive in free pages or the WAL.
  if (GetParam() == testing::kSqliteEngine) {
    ASSERT_TRUE(repo.scrub_released_space());
    const std::string path = db_->description().substr(7);
    std::string bytes;
    for (const auto& file : {path, path + "-wal"}) {
      std::ifstream in(file, std::ios::binary);
      bytes.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    EXPECT_GT(bytes.size(), 0u);
    EXPECT_NE(bytes.find("legacy"), std::string::npos); // the search works: the connection id is there
    EXPECT_EQ(bytes.find("rt-legacy-secret"), std::string::npos);
  }
}

TEST_P(Credentials, RotationReencryptsEverythingWithTheNewKey) {
  const SecretKey old_key = SecretKey::generate(), new_key = SecretKey::generate();
  store::ConnectionRepository before(db_, std::make_shared<const SecretBox>(old_key));
  for (const char* id : {"a", "b", "c"}) ASSERT_TRUE(before.upsert(row(id)));
  store::ConnectionRepository rotating(db_, std::make_shared<const SecretBox>(new_key, std::vector{old_key}));
  EXPECT_EQ(rotating.get("b").value()->credentials.at("refresh_token"), "rt-b-secret"); // old key still reads
  EXPECT_EQ(rotating.reseal_credentials().value(), 3);
  store::ConnectionRepository after(db_, std::make_shared<const SecretBox>(new_key)); // old key gone
  for (const char* id : {"a", "b", "c"}) {
    EXPECT_EQ(SecretBox::key_id_of(stored_credentials(id)), new_key.id);
    auto got = after.get(id);
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(got.value()->credentials.at("refresh_token").as_string(), "rt-" + std::string(id) + "-secret");
  }
  EXPECT_FALSE(before.get("a")); // the old key alone no longer opens anything
  // A value under a key nobody configured stops the rotation with a message instead of losing it.
  store::ConnectionRepository stranger(db_, std::make_shared<const SecretBox>(SecretKey::generate()));
  auto refused = stranger.reseal_credentials();
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error().message, HasSubstr("not configured"));
}

} // namespace
} // namespace appconnect::security
