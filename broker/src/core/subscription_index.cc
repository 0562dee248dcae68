// The subscription index over the topic tree; the tree's code is
// instantiated here, once, for the routing hot path.
#include "core/subscription_index.h"

namespace plaza::broker {

void SubscriptionIndex::Add(std::string_view filter, Session* session, uint8_t qos, uint8_t options,
                            uint32_t id) {
  tree_.Add(filter, Entry{session, qos, options, id});
}

bool SubscriptionIndex::Remove(std::string_view filter, Session* session) {
  return tree_.Remove(filter, session);
}

void SubscriptionIndex::Match(std::string_view name, std::vector<Entry>* out) const {
  tree_.Match(name, out);
}

}  // namespace plaza::broker
