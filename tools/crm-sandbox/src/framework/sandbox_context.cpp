#include "framework/sandbox_context.hpp"

namespace appconnect::crm_sandbox {

std::optional<std::int64_t> ApiUsage::try_consume(std::int64_t limit) {
  auto current = used_.load(std::memory_order_relaxed);
  do {
    if (current >= limit) return std::nullopt;
  } while (!used_.compare_exchange_weak(current, current + 1, std::memory_order_relaxed));
  return current + 1;
}

Knobs KnobStore::snapshot() const {
  std::lock_guard lock(mutex_);
  return knobs_;
}

Knobs KnobStore::apply(const boost::json::object& update) {
  std::lock_guard lock(mutex_);
  knobs_.apply(update);
  return knobs_;
}

void KnobStore::set(Knobs knobs) {
  std::lock_guard lock(mutex_);
  knobs_ = std::move(knobs);
}

} // namespace appconnect::crm_sandbox
