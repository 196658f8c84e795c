// SOQL against the Salesforce emulator: the query envelope, filters, ordering, relationships,
// pagination through nextRecordsUrl, and MALFORMED_QUERY / INVALID_FIELD / INVALID_TYPE errors.
#include "salesforce_fixture.hpp"

#include <set>

namespace appconnect::testing {
namespace {

class SalesforceQuery : public SalesforceSandboxTest {
 protected:
  boost::json::value query_ok(const std::string& q) const {
    auto r = soql(q);
    EXPECT_EQ(r.status, 200) << q << " -> " << r.body;
    return r.status == 200 ? r.json() : boost::json::value(boost::json::object{{"records", boost::json::array{}}});
  }
  std::vector<std::string> query_names(const std::string& q) const { return names(query_ok(q), "records"); }
};

TEST_F(SalesforceQuery, ReturnsTheQueryEnvelope) {
  auto body = query_ok("SELECT Id, Name, Email FROM User WHERE IsActive = true ORDER BY Name");
  EXPECT_EQ(body.at("totalSize"), 3);
  EXPECT_EQ(body.at("done"), true);
  EXPECT_FALSE(body.as_object().contains("nextRecordsUrl"));
  auto first = body.at("records").at(0).as_object();
  EXPECT_EQ(first.at("attributes").at("type"), "User");
  EXPECT_EQ(first.at("Name"), "James Chen");
  EXPECT_EQ(first.size(), 4u); // attributes, Id, Name, Email
}

TEST_F(SalesforceQuery, PhoneEqualityComparesTheStoredStringExactly) {
  EXPECT_TRUE(query_names("SELECT Id, Name FROM Contact WHERE Phone = '4155550132'").empty());
  EXPECT_EQ(
      query_names("SELECT Id, Name FROM Contact WHERE Phone = '(415) 555-0132' OR MobilePhone = '(415) 555-0132'"),
      (std::vector<std::string>{"Olivia Bennett"}));
}

TEST_F(SalesforceQuery, FiltersOrderAndLimit) {
  EXPECT_EQ(query_names("SELECT Name FROM Lead WHERE IsConverted = false AND Status IN ('Working - Contacted') "
                        "ORDER BY Name"),
            (std::vector<std::string>{"Jordan Blake", "Liam O'Connor", "William Park"}));
  EXPECT_EQ(query_names("SELECT Name FROM Contact WHERE Email LIKE '%@initech.example' ORDER BY LastName DESC"),
            (std::vector<std::string>{"Daniel Kim", "Sofia Alvarez"}));
  EXPECT_EQ(query_names("SELECT Name FROM Contact WHERE (LastName = 'Reed' OR LastName = 'Kim') AND DoNotCall = false "
                        "ORDER BY Name LIMIT 1"),
            (std::vector<std::string>{"Daniel Kim"}));
  EXPECT_EQ(query_names("SELECT Name FROM Contact ORDER BY LastModifiedDate DESC LIMIT 2 OFFSET 1"),
            (std::vector<std::string>{"Aisha Rahman", "Ethan Brooks"}));
  EXPECT_EQ(query_names("SELECT Name FROM Contact WHERE LastModifiedDate > 2024-06-01T00:00:00Z ORDER BY Name"),
            (std::vector<std::string>{"Aisha Rahman", "Marcus Reed"}));
  // String comparison is case-insensitive, as in SOQL.
  EXPECT_EQ(query_names("SELECT Name FROM Contact WHERE lastname = 'BENNETT'"),
            (std::vector<std::string>{"Olivia Bennett"}));
  EXPECT_EQ(query_names("SELECT Name FROM Lead WHERE NOT (Company != 'Fabrikam')"),
            (std::vector<std::string>{"Emma Wilson"}));
  EXPECT_EQ(query_names("SELECT Name FROM Lead WHERE Company = 'Fabrikam' WITH SECURITY_ENFORCED LIMIT 5"),
            (std::vector<std::string>{"Emma Wilson"}));
}

TEST_F(SalesforceQuery, MixingAndWithOrNeedsParentheses) {
  auto r = soql("SELECT Id FROM Contact WHERE LastName = 'Reed' AND DoNotCall = false OR LastName = 'Kim'");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_code(r), "MALFORMED_QUERY");
}

TEST_F(SalesforceQuery, RelationshipFieldsNestUnderTheRelationshipName) {
  auto body =
      query_ok("SELECT Id, Name, Owner.Name, Owner.Email, Account.Name FROM Contact WHERE LastName = 'Bennett'");
  auto c = body.at("records").at(0).as_object();
  EXPECT_EQ(c.at("Owner").at("attributes").at("type"), "User");
  EXPECT_EQ(c.at("Owner").at("Name"), "James Chen");
  EXPECT_EQ(c.at("Owner").at("Email"), "james.chen@acme-demo.example");
  EXPECT_EQ(c.at("Account").at("Name"), "Globex Corporation");
  // A null reference gives a null relationship.
  auto lucas = query_ok("SELECT Account.Name FROM Contact WHERE LastName = 'Moreau'").at("records").at(0);
  EXPECT_TRUE(lucas.at("Account").is_null());
  // Filtering through a relationship works too.
  EXPECT_EQ(query_names("SELECT Name FROM Contact WHERE Owner.Email = 'priya.patel@acme-demo.example' ORDER BY Name"),
            (std::vector<std::string>{"Daniel Kim", "Lucas Moreau", "Sofia Alvarez"}));
}

TEST_F(SalesforceQuery, IdFiltersAcceptFifteenAndEighteenCharacterIds) {
  auto olivia = query_ok("SELECT Id FROM Contact WHERE LastName = 'Bennett'").at("records").at(0).at("Id");
  const std::string id18(olivia.as_string());
  EXPECT_EQ(query_names("SELECT Name FROM Contact WHERE Id = '" + id18 + "'"),
            (std::vector<std::string>{"Olivia Bennett"}));
  EXPECT_EQ(query_names("SELECT Name FROM Contact WHERE Id = '" + id18.substr(0, 15) + "'"),
            (std::vector<std::string>{"Olivia Bennett"}));
  auto bad = soql("SELECT Name FROM Contact WHERE Id = 'nope'");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(error_code(bad), "INVALID_QUERY_FILTER_OPERATOR");
}

TEST_F(SalesforceQuery, CountReturnsTotalSizeOnly) {
  auto body = query_ok("SELECT COUNT() FROM Lead WHERE IsConverted = false");
  EXPECT_EQ(body.at("totalSize"), 7);
  EXPECT_TRUE(body.at("records").as_array().empty());
}

TEST_F(SalesforceQuery, PaginatesThroughNextRecordsUrl) {
  sandbox().configure({{"query_batch_size", 3}});
  auto r = soql("SELECT Id, Name FROM Contact ORDER BY Name");
  ASSERT_EQ(r.status, 200) << r.body;
  auto page = r.json();
  std::vector<std::string> seen;
  int pages = 0;
  while (true) {
    ++pages;
    EXPECT_EQ(page.at("totalSize"), 10);
    for (const auto& rec : page.at("records").as_array()) seen.emplace_back(rec.at("Name").as_string());
    if (page.at("done").as_bool()) {
      EXPECT_FALSE(page.as_object().contains("nextRecordsUrl"));
      break;
    }
    const std::string next(page.at("nextRecordsUrl").as_string());
    EXPECT_EQ(next.rfind("/services/data/v62.0/query/01g", 0), 0u) << next;
    EXPECT_EQ(page.at("records").as_array().size(), 3u);
    auto more = sandbox().request("GET", next, {}, {{"Authorization", "Bearer " + token_}});
    ASSERT_EQ(more.status, 200) << more.body;
    page = more.json();
    ASSERT_LT(pages, 10);
  }
  EXPECT_EQ(pages, 4);
  ASSERT_EQ(seen.size(), 10u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 10u);

  auto bad = api("GET", "/query/01gSB000000zzzzAAA-3");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(error_code(bad), "INVALID_QUERY_LOCATOR");
}

TEST_F(SalesforceQuery, QueryErrorsUseSalesforceCodes) {
  auto malformed = soql("SELECT Id FROM Contact WHERE");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(error_code(malformed), "MALFORMED_QUERY");
  EXPECT_NE(std::string(malformed.json().at(0).at("message").as_string()).find("ERROR at Row:1:Column:"),
            std::string::npos)
      << malformed.body;
  auto field = soql("SELECT Id, Shoe FROM Contact");
  EXPECT_EQ(field.status, 400);
  EXPECT_EQ(error_code(field), "INVALID_FIELD");
  auto object = soql("SELECT Id FROM Widget");
  EXPECT_EQ(object.status, 400);
  EXPECT_EQ(error_code(object), "INVALID_TYPE");
  auto missing = api("GET", "/query/");
  EXPECT_EQ(missing.status, 400);
  auto unsupported = soql("SELECT LeadSource, COUNT(Id) FROM Lead GROUP BY LeadSource");
  EXPECT_EQ(unsupported.status, 400);
}

} // namespace
} // namespace appconnect::testing
