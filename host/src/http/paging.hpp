// Keyset paging for list answers: every paged list says where the next page starts.
#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <vector>

namespace appconnect::http {

// The "next_after" of a page: the key of its last row when the page is full (there may be more), null when
// it is shorter than the limit (nothing after it). `key` reads a row's paging key (id, seq, position).
template <class Row, class Key>
boost::json::value next_after(const std::vector<Row>& page, std::int64_t limit, Key key) {
  if (page.empty() || static_cast<std::int64_t>(page.size()) != limit) return nullptr;
  return boost::json::value(key(page.back()));
}

} // namespace appconnect::http
