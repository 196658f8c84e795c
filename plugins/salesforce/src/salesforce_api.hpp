// Salesforce REST API plumbing for the connector: URLs, requests, SOQL/SOSL escaping, and the mapping of
// Salesforce's error arrays and limit signals onto SDK errors.
// Sources: Salesforce REST API Developer Guide ("Status Codes and Error Responses", "Search",
// "Query", "sObject Rows", "Limits Info Header"), OAuth 2.0 "Refresh Token Flow".
#pragma once

#include <appconnect/plugin.hpp>

#include <boost/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace appconnect::salesforce {

using sdk::Context;
using sdk::Error;
using sdk::HttpRequest;
using sdk::HttpResponse;
using sdk::Result;

// The REST base ("{instance_url}/services/data/v62.0"), or an error when no instance URL is known yet.
Result<std::string> data_url(const Context& ctx);
std::string login_url(const Context& ctx);

// An authenticated request to the REST API; `path` is relative to data_url() (e.g. "/sobjects/Task/").
Result<HttpResponse> call(const Context& ctx, std::string method, const std::string& path,
                          const boost::json::value* body = nullptr);

// GET on a path Salesforce handed us (nextRecordsUrl), which is absolute from the instance root.
Result<HttpResponse> call_instance_path(const Context& ctx, const std::string& path);

// Turns a non-2xx response into an SDK error (Salesforce bodies are arrays of {message, errorCode}).
Error error_from(const HttpResponse& response);

// Runs a SOQL query and follows nextRecordsUrl to collect every record.
Result<std::vector<boost::json::object>> query_all(const Context& ctx, const std::string& soql);

// Quotes a value for a SOQL string literal.
std::string soql_quote(std::string_view value);

// Escapes a term for use inside SOSL FIND {...}.
std::string sosl_escape(std::string_view term);

// A string field of a record, or empty when missing or null.
std::string field(const boost::json::object& record, std::string_view name);

// Salesforce timestamps ("2024-05-01T10:00:00.000+0000") as SDK UTC timestamps.
std::string to_utc(const std::string& salesforce_time);

// Link that opens a record in Lightning Experience.
std::string record_url(const Context& ctx, std::string_view type, std::string_view id);

} // namespace appconnect::salesforce
