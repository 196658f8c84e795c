#include "framework/record_store.hpp"

#include <mutex>
#include <stdexcept>

namespace appconnect::crm_sandbox {

void RecordStore::clear() {
  std::unique_lock lock(mutex_);
  tables_.clear();
  next_seq_ = 1;
}

const RecordStore::Table* RecordStore::find_table(std::string_view object) const {
  auto it = tables_.find(object);
  return it == tables_.end() ? nullptr : &it->second;
}

std::uint64_t RecordStore::insert(std::string_view object, Record record) {
  std::unique_lock lock(mutex_);
  auto it = tables_.find(object);
  if (it == tables_.end()) it = tables_.emplace(std::string(object), Table{}).first;
  auto& table = it->second;
  if (table.seq_by_id.count(record.id)) throw std::logic_error("duplicate record id " + record.id);
  const auto seq = next_seq_++;
  record.seq = seq;
  table.seq_by_id.emplace(record.id, seq);
  table.by_seq.emplace(seq, std::move(record));
  return seq;
}

std::optional<Record> RecordStore::get(std::string_view object, std::string_view id) const {
  std::shared_lock lock(mutex_);
  const auto* table = find_table(object);
  if (!table) return std::nullopt;
  auto it = table->seq_by_id.find(std::string(id));
  if (it == table->seq_by_id.end()) return std::nullopt;
  return table->by_seq.at(it->second);
}

bool RecordStore::contains(std::string_view object, std::string_view id) const {
  std::shared_lock lock(mutex_);
  const auto* table = find_table(object);
  return table && table->seq_by_id.count(std::string(id)) > 0;
}

bool RecordStore::update(std::string_view object, std::string_view id, const std::function<void(Record&)>& fn) {
  std::unique_lock lock(mutex_);
  auto it = tables_.find(object);
  if (it == tables_.end()) return false;
  auto found = it->second.seq_by_id.find(std::string(id));
  if (found == it->second.seq_by_id.end()) return false;
  fn(it->second.by_seq.at(found->second));
  return true;
}

std::optional<Record> RecordStore::remove(std::string_view object, std::string_view id) {
  std::unique_lock lock(mutex_);
  auto it = tables_.find(object);
  if (it == tables_.end()) return std::nullopt;
  auto found = it->second.seq_by_id.find(std::string(id));
  if (found == it->second.seq_by_id.end()) return std::nullopt;
  auto node = it->second.by_seq.extract(found->second);
  it->second.seq_by_id.erase(found);
  return std::move(node.mapped());
}

void RecordStore::scan(std::string_view object, const std::function<bool(const Record&)>& fn) const {
  std::shared_lock lock(mutex_);
  const auto* table = find_table(object);
  if (!table) return;
  for (const auto& [seq, record] : table->by_seq)
    if (!fn(record)) return;
}

std::vector<Record> RecordStore::list(std::string_view object) const {
  std::vector<Record> out;
  scan(object, [&](const Record& r) {
    out.push_back(r);
    return true;
  });
  return out;
}

std::size_t RecordStore::count(std::string_view object) const {
  std::shared_lock lock(mutex_);
  const auto* table = find_table(object);
  return table ? table->by_seq.size() : 0;
}

std::vector<std::string> RecordStore::objects() const {
  std::shared_lock lock(mutex_);
  std::vector<std::string> out;
  for (const auto& [name, table] : tables_) out.push_back(name);
  return out;
}

} // namespace appconnect::crm_sandbox
