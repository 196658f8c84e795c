// SOSL and parameterizedSearch against the Salesforce emulator: phone matching across formats,
// Contact/Lead disambiguation by attributes.type, the search-index lag, and search errors.
#include "salesforce_fixture.hpp"

#include <algorithm>

namespace appconnect::testing {
namespace {

const char* const kReturning =
    " IN PHONE FIELDS RETURNING Contact(Id, Name, Phone, MobilePhone, OwnerId, LastModifiedDate), "
    "Lead(Id, Name, Company, Phone, MobilePhone, OwnerId, IsConverted, LastModifiedDate WHERE IsConverted = false) "
    "LIMIT 20";

class SalesforceSearch : public SalesforceSandboxTest {
 protected:
  boost::json::value find_phone(const std::string& term) const {
    auto r = sosl("FIND {" + sosl_escape(term) + "}" + kReturning);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? r.json()
                           : boost::json::value(boost::json::object{{"searchRecords", boost::json::array{}}});
  }
  static std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
  }
};

TEST_F(SalesforceSearch, PhoneFieldsMatchAcrossFormats) {
  // Olivia's Phone is "(415) 555-0132", Marcus's "+1 415-555-0132": one number, two spellings.
  const std::vector<std::string> expected{"Marcus Reed", "Olivia Bennett"};
  for (const char* term : {"4155550132", "14155550132", "+14155550132", "(415) 555-0132", "+1 415-555-0132"}) {
    auto body = find_phone(term);
    EXPECT_EQ(sorted(names(body)), expected) << term;
    for (const auto& r : body.at("searchRecords").as_array())
      EXPECT_EQ(r.at("attributes").at("type"), "Contact") << term;
  }
  // Each record carries exactly the RETURNING fields plus attributes.
  auto first = find_phone("4155550132").at("searchRecords").at(0).as_object();
  EXPECT_EQ(first.size(), 7u) << first;
  EXPECT_TRUE(
      std::string(first.at("attributes").at("url").as_string()).rfind("/services/data/v62.0/sobjects/Contact/003", 0) ==
      0);
}

TEST_F(SalesforceSearch, ContactAndLeadSharingANumberAreToldApartByType) {
  // Aisha (Contact) "1-650-555-0112" and Jordan (Lead) "(650) 555-0112".
  auto body = find_phone("+16505550112");
  auto records = body.at("searchRecords").as_array();
  ASSERT_EQ(records.size(), 2u) << body;
  std::vector<std::string> types;
  for (const auto& r : records) types.emplace_back(r.at("attributes").at("type").as_string());
  EXPECT_EQ(sorted(types), (std::vector<std::string>{"Contact", "Lead"}));
  for (const auto& r : records)
    if (r.at("attributes").at("type") == "Lead") {
      EXPECT_EQ(r.at("Company").as_string(), "Blake Consulting");
      EXPECT_EQ(r.at("IsConverted"), false);
    }
}

TEST_F(SalesforceSearch, WhereClauseExcludesConvertedLeads) {
  // Emma Wilson's lead (512) 555-0199 is converted.
  EXPECT_TRUE(find_phone("5125550199").at("searchRecords").as_array().empty());
  auto all = sosl("FIND {5125550199} IN PHONE FIELDS RETURNING Lead(Id, Name, IsConverted)");
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(names(all.json()), (std::vector<std::string>{"Emma Wilson"}));
}

TEST_F(SalesforceSearch, NoMatchIsAnEmptySearchRecordsArray) {
  auto r = sosl(std::string("FIND {2025550100}") + kReturning);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json(), boost::json::parse(R"({"searchRecords":[]})"));
}

TEST_F(SalesforceSearch, OtherPhoneFieldsAndInternationalNumbersMatch) {
  EXPECT_EQ(names(find_phone("2125550188")), (std::vector<std::string>{"Daniel Kim"}));        // HomePhone
  EXPECT_EQ(names(find_phone("+14155550122")), (std::vector<std::string>{"Chloe Nguyen"}));    // AssistantPhone
  EXPECT_EQ(names(find_phone("+442079460958")), (std::vector<std::string>{"Hannah Schmidt"})); // UK number
  EXPECT_EQ(names(find_phone("3035550156")), (std::vector<std::string>{"Liam O'Connor"}));     // Lead MobilePhone
}

TEST_F(SalesforceSearch, IndexLagHidesNewRecordsFromSearchButNotFromQuery) {
  sandbox().configure({{"search_index_lag_s", 30}});
  const std::string id =
      create("Lead", {{"LastName", "Unknown caller +14155550142"}, {"Company", "Unknown"}, {"Phone", "+14155550142"}});
  EXPECT_TRUE(find_phone("+14155550142").at("searchRecords").as_array().empty());
  auto q = soql("SELECT Id FROM Lead WHERE Phone = '+14155550142'");
  ASSERT_EQ(q.status, 200);
  EXPECT_EQ(ids(q.json(), "records"), std::vector<std::string>{id});
  // Seeded (pre-existing) records are indexed already.
  EXPECT_EQ(find_phone("4155550132").at("searchRecords").as_array().size(), 2u);
  // Once the lag is gone the record is searchable.
  sandbox().configure({{"search_index_lag_s", 0}});
  EXPECT_EQ(ids(find_phone("+14155550142")), std::vector<std::string>{id});
}

TEST_F(SalesforceSearch, ParameterizedSearchUsesTheSameEnvelope) {
  auto r = api("GET",
               "/parameterizedSearch/?q=4155550132&in=PHONE&sobject=Contact&Contact.fields=Id,Name,Phone"
               "&sobject=Lead&Lead.fields=Id,Name&Lead.where=" +
                   url_encode("IsConverted = false") + "&overallLimit=20");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(sorted(names(r.json())), (std::vector<std::string>{"Marcus Reed", "Olivia Bennett"}));
  auto shared = api("GET",
                    "/parameterizedSearch/?q=6505550112&in=PHONE&sobject=Contact&Contact.fields=Id,Name"
                    "&sobject=Lead&Lead.fields=Id,Name,IsConverted&Lead.where=IsConverted%3Dfalse");
  ASSERT_EQ(shared.status, 200) << shared.body;
  EXPECT_EQ(shared.json().at("searchRecords").as_array().size(), 2u);
  // POST with a JSON body.
  auto post = api_json("POST", "/parameterizedSearch/", boost::json::parse(R"({"q":"4155550132","in":"PHONE",
      "fields":["Id","Name"],"sobjects":[{"name":"Contact"},{"name":"Lead","where":"IsConverted = false"}]})"));
  ASSERT_EQ(post.status, 200) << post.body;
  EXPECT_EQ(post.json().at("searchRecords").as_array().size(), 2u);
}

TEST_F(SalesforceSearch, NameAndEmailGroupsSearchText) {
  auto r = sosl("FIND {Olivia} IN NAME FIELDS RETURNING Contact(Id, Name), Lead(Id, Name)");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(names(r.json()), (std::vector<std::string>{"Olivia Bennett"}));
  auto e = sosl("FIND {marcus.reed@globex.example} IN EMAIL FIELDS RETURNING Contact(Id, Name)");
  ASSERT_EQ(e.status, 200) << e.body;
  EXPECT_EQ(names(e.json()), (std::vector<std::string>{"Marcus Reed"}));
  // ALL FIELDS (the default) also finds phone numbers.
  auto all = sosl("FIND {4155550132} RETURNING Contact(Id, Name)");
  EXPECT_EQ(all.json().at("searchRecords").as_array().size(), 2u);
}

TEST_F(SalesforceSearch, LimitCapsTheResults) {
  auto r = sosl("FIND {4155550132} IN PHONE FIELDS RETURNING Contact(Id) LIMIT 1");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json().at("searchRecords").as_array().size(), 1u);
  auto per_object =
      sosl("FIND {4155550132} IN PHONE FIELDS RETURNING Contact(Id ORDER BY LastModifiedDate DESC LIMIT 1)");
  ASSERT_EQ(per_object.status, 200) << per_object.body;
  // Marcus was modified most recently.
  auto marcus = soql("SELECT Id FROM Contact WHERE LastName = 'Reed'").json();
  EXPECT_EQ(ids(per_object.json()), ids(marcus, "records"));
}

TEST_F(SalesforceSearch, SearchErrorsUseSalesforceCodes) {
  auto no_braces = sosl("FIND 4155550132 IN PHONE FIELDS");
  EXPECT_EQ(no_braces.status, 400);
  EXPECT_EQ(error_code(no_braces), "MALFORMED_SEARCH");
  auto bad_field = sosl("FIND {4155550132} IN PHONE FIELDS RETURNING Contact(Id, Shoe)");
  EXPECT_EQ(bad_field.status, 400);
  EXPECT_EQ(error_code(bad_field), "INVALID_FIELD");
  auto bad_object = sosl("FIND {4155550132} IN PHONE FIELDS RETURNING Widget(Id)");
  EXPECT_EQ(bad_object.status, 400);
  EXPECT_EQ(error_code(bad_object), "INVALID_TYPE");
  auto short_term = sosl("FIND {4} IN PHONE FIELDS");
  EXPECT_EQ(short_term.status, 400);
  EXPECT_EQ(error_code(short_term), "INVALID_SEARCH");
}

} // namespace
} // namespace appconnect::testing
