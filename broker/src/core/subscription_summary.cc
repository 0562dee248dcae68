// A filter is counted under the longest literal prefix of at most two
// levels it starts with ("a/b/#" under "a/b", "a/+/c" and "a/#" under "a",
// "+/x" as a wildcard); a topic "a/b/c" can then only be matched by filters
// counted under "a", under "a/b", or as wildcards.
#include "core/subscription_summary.h"

#include <functional>

namespace plaza::broker {
namespace {

bool IsWildcard(std::string_view level) { return level == "+" || level == "#"; }

}  // namespace

SubscriptionSummary::SubscriptionSummary(size_t shards) {
  for (size_t i = 0; i < shards; ++i) rows_.push_back(std::make_unique<Row>());
}

size_t SubscriptionSummary::Bucket(std::string_view prefix) {
  return std::hash<std::string_view>{}(prefix) % kBuckets;
}

void SubscriptionSummary::Count(size_t shard, std::string_view filter, int delta) {
  Row& row = *rows_[shard];
  const size_t first_end = filter.find('/');
  const std::string_view first = filter.substr(0, first_end);
  std::atomic<uint32_t>* counter;
  if (IsWildcard(first)) {
    counter = &row.wildcard;
  } else if (first_end == std::string_view::npos) {
    counter = &row.buckets[Bucket(first)];
  } else {
    const size_t second_end = filter.find('/', first_end + 1);
    const std::string_view second = filter.substr(first_end + 1, second_end - first_end - 1);
    counter = IsWildcard(second) ? &row.buckets[Bucket(first)]
                                 : &row.buckets[Bucket(filter.substr(0, second_end))];
  }
  counter->fetch_add(static_cast<uint32_t>(delta), std::memory_order_relaxed);
}

bool SubscriptionSummary::MayMatch(size_t shard, std::string_view name) const {
  const Row& row = *rows_[shard];
  // Filters starting with a wildcard never match a '$' topic.
  if (!name.starts_with('$') && row.wildcard.load(std::memory_order_relaxed) != 0) return true;
  const size_t first_end = name.find('/');
  if (row.buckets[Bucket(name.substr(0, first_end))].load(std::memory_order_relaxed) != 0) {
    return true;
  }
  if (first_end == std::string_view::npos) return false;
  const std::string_view two = name.substr(0, name.find('/', first_end + 1));
  return row.buckets[Bucket(two)].load(std::memory_order_relaxed) != 0;
}

}  // namespace plaza::broker
